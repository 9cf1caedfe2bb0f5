"""The `responses` resource of this package's clients: openai's, plus `poll`, `create_and_poll`,
`poll_many` and `from_webhook`.

Everything else, `retrieve` and the stream helpers included, is openai's own
method; the client classifies what they return.

With `text_format=`, `poll` and `create_and_poll` return what `responses.parse`
returns for a foreground run: a `ParsedResponse` whose `output_parsed` is filled,
by the SDK's own parsing (structured outputs for background runs,
openai-python #2830).

On a client made with `wait_for_background=True`, `create` and `parse` wait too: when
the call created a background run that is still queued or in progress, they `poll` it
(cancelling it on the server if the wait is interrupted) and return the terminal
response, so callers that expect an answer from `create` get one (`waiting` says what
each way of calling hands back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast, overload

from openai import Omit, omit
from openai.resources.responses import AsyncResponses as _AsyncResponses
from openai.resources.responses import Responses as _Responses
from typing_extensions import Unpack

from .fleet import DEFAULT_MAX_CONCURRENCY, Fleet, async_poll_many, poll_many
from .polling import async_poll, poll
from .waiting import WaitedRawResponse, asking_for_the_exchange, run_to_wait_for, wait_mode
from .webhooks import async_from_webhook, from_webhook

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator, Mapping

    from openai.types.responses import ParsedResponse, Response, ToolParam
    from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming

    from .outcome import PollOutcome
    from .registry import RaisePolicy

__all__ = ["AsyncResponses", "Responses"]

_T = TypeVar("_T")


class _HasRaisePolicy(Protocol):
    @property
    def raise_policy(self) -> RaisePolicy: ...


def _policy_of(client: object) -> RaisePolicy:
    # The resource is only ever built by this package's clients, which carry the policy.
    return cast("_HasRaisePolicy", client).raise_policy


def _parsed(
    response: Response, text_format: type[Any] | Omit, tools: Iterable[ToolParam] | Omit
) -> Response | ParsedResponse[Any]:
    """`response` as `responses.parse` returns it when a `text_format` is given; else unchanged."""
    if isinstance(text_format, Omit):
        return response
    return _parse_as_sdk(response, text_format, tools)


def _parse_as_sdk(
    response: Response, text_format: type[Any] | Omit, tools: Iterable[ToolParam] | Omit
) -> ParsedResponse[Any]:
    """What `responses.parse` returns for `response`: the SDK's own parser, as it applies it."""
    from openai.lib._parsing._responses import parse_response

    return parse_response(text_format=text_format, input_tools=tools, response=response)


def _listed_tools(params: ResponseCreateParamsNonStreaming) -> Iterable[ToolParam] | Omit:
    # Read twice (sent with the create, then used to parse function-call arguments): a one-shot
    # iterable must not be spent by the first reading.
    if "tools" not in params:
        return omit
    tools = params["tools"] = list(params["tools"])
    return tools


class Responses(_Responses):
    """openai's `responses` resource with `poll` and `create_and_poll`."""

    # Defined for the run time only: type checkers keep openai's own signatures and overloads.
    if not TYPE_CHECKING:

        def create(self, **params):
            mode = wait_mode(self._client, params)
            if mode is None:
                return super().create(**params)
            raw = super().create(**asking_for_the_exchange(params))
            run = run_to_wait_for(raw)
            if run is None:
                return raw if mode == "raw" else raw.parse()
            finished = self._wait(run.id, raw.headers)
            return WaitedRawResponse(raw, finished) if mode == "raw" else finished

        def parse(self, **params):
            mode = wait_mode(self._client, params)
            if mode is None:
                return super().parse(**params)
            tools = _listed_tools(params)
            raw = super().parse(**asking_for_the_exchange(params))
            run = run_to_wait_for(raw)
            if run is None:
                return raw if mode == "raw" else raw.parse()
            finished = _parse_as_sdk(self._wait(run.id, raw.headers), params.get("text_format", omit), tools)
            return WaitedRawResponse(raw, finished) if mode == "raw" else finished

    def _wait(self, response_id: str, created_headers: Mapping[str, str]) -> Response:
        """`poll` a run `create` just started, from the wait its answer asked for; cancel it if interrupted."""
        return poll(
            self,
            response_id,
            policy=_policy_of(self._client),
            cancel_on_interrupt=True,
            created_headers=created_headers,
        )

    @overload
    def poll(
        self,
        response_id: str,
        *,
        text_format: type[_T],
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
    ) -> ParsedResponse[_T]: ...
    @overload
    def poll(
        self,
        response_id: str,
        *,
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
    ) -> Response: ...
    def poll(
        self,
        response_id: str,
        *,
        text_format: type[Any] | Omit = omit,
        poll_interval_ms: int | Omit = omit,
        max_wait_seconds: float | Omit = omit,
        cancel_on_interrupt: bool = False,
    ) -> Response | ParsedResponse[Any]:
        """Wait until the response leaves `queued`/`in_progress`; return it, or raise for a status in `raise_on`.

        Without `poll_interval_ms` each wait follows the server's `openai-poll-after-ms`
        (1000 ms when absent). `max_wait_seconds` bounds the whole wait with a
        `TimeoutError` (0 sends no request). With `cancel_on_interrupt=True`, a
        `KeyboardInterrupt` while waiting also cancels the run on the server. With
        `text_format` (a pydantic model or type, as for `responses.parse`) the result is a
        `ParsedResponse` whose `output_parsed` is filled.
        """
        response = poll(
            self,
            response_id,
            policy=_policy_of(self._client),
            poll_interval_ms=poll_interval_ms,
            max_wait_seconds=max_wait_seconds,
            cancel_on_interrupt=cancel_on_interrupt,
        )
        return _parsed(response, text_format, omit)

    @overload
    def create_and_poll(
        self,
        *,
        text_format: type[_T],
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
        **create_params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> ParsedResponse[_T]: ...
    @overload
    def create_and_poll(
        self,
        *,
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
        **create_params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> Response: ...
    def create_and_poll(
        self,
        *,
        text_format: type[Any] | Omit = omit,
        poll_interval_ms: int | Omit = omit,
        max_wait_seconds: float | Omit = omit,
        cancel_on_interrupt: bool = False,
        **create_params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> Response | ParsedResponse[Any]:
        """`create(background=True, **create_params)`, then `poll` the new response.

        With `text_format`, the run is created by `responses.parse(text_format=...)`, which
        asks for that JSON schema, and the result is a `ParsedResponse`.
        """
        params: ResponseCreateParamsNonStreaming = {**create_params, "background": True}
        tools = _listed_tools(params)
        # openai's own create/parse: on a waiting client these would wait themselves, without
        # this call's interval, bound and interrupt choice.
        created = (
            super().create(**params)
            if isinstance(text_format, Omit)
            else super().parse(text_format=text_format, **params)
        )
        response = self.poll(
            created.id,
            poll_interval_ms=poll_interval_ms,
            max_wait_seconds=max_wait_seconds,
            cancel_on_interrupt=cancel_on_interrupt,
        )
        return _parsed(response, text_format, tools)

    def poll_many(
        self,
        response_ids: Iterable[str],
        *,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        poll_interval_ms: int | Omit = omit,
        max_wait_seconds: float | Omit = omit,
    ) -> Iterator[PollOutcome]:
        """Watch many background responses at once; yield one `PollOutcome` per id, in the order they finish.

        Each response is polled as `poll` would poll it alone (its own `openai-poll-after-ms`,
        or `poll_interval_ms`; `max_wait_seconds` per response, counted from the first
        iteration), with at most `max_concurrency` requests in flight. A failure is a value:
        `outcome.error` is the typed error for a status in `raise_on`, a `TimeoutError`, or the
        SDK's exception for requests that failed after its retries. Repeated ids, an empty id
        or a bad setting raise `ValueError` here, before any request.
        """
        fleet = Fleet(
            response_ids,
            max_concurrency=max_concurrency,
            poll_interval_ms=poll_interval_ms,
            max_wait_seconds=max_wait_seconds,
        )
        return poll_many(self, fleet, policy=_policy_of(self._client))

    def from_webhook(
        self, payload: str | bytes, headers: Mapping[str, str], *, secret: str | None = None
    ) -> Response | None:
        """Verify a webhook delivery with `webhooks.unwrap`; for a `response.completed|failed|incomplete|cancelled`
        event, retrieve that response (raising the typed error for a status in `raise_on`); else None.

        A bad signature raises `openai.InvalidWebhookSignatureError` and nothing is retrieved.
        `secret` defaults to the client's `webhook_secret` (`OPENAI_WEBHOOK_SECRET`).
        """
        return from_webhook(self, payload, headers, secret=secret)


class AsyncResponses(_AsyncResponses):
    """openai's async `responses` resource with `poll` and `create_and_poll`."""

    if not TYPE_CHECKING:

        async def create(self, **params):
            mode = wait_mode(self._client, params)
            if mode is None:
                return await super().create(**params)
            raw = await super().create(**asking_for_the_exchange(params))
            run = run_to_wait_for(raw)
            if run is None:
                return raw if mode == "raw" else raw.parse()
            finished = await self._wait(run.id, raw.headers)
            return WaitedRawResponse(raw, finished) if mode == "raw" else finished

        async def parse(self, **params):
            mode = wait_mode(self._client, params)
            if mode is None:
                return await super().parse(**params)
            tools = _listed_tools(params)
            raw = await super().parse(**asking_for_the_exchange(params))
            run = run_to_wait_for(raw)
            if run is None:
                return raw if mode == "raw" else raw.parse()
            finished = _parse_as_sdk(
                await self._wait(run.id, raw.headers), params.get("text_format", omit), tools
            )
            return WaitedRawResponse(raw, finished) if mode == "raw" else finished

    async def _wait(self, response_id: str, created_headers: Mapping[str, str]) -> Response:
        """`poll` a run `create` just started, from the wait its answer asked for; cancel it if interrupted."""
        return await async_poll(
            self,
            response_id,
            policy=_policy_of(self._client),
            cancel_on_interrupt=True,
            created_headers=created_headers,
        )

    @overload
    async def poll(
        self,
        response_id: str,
        *,
        text_format: type[_T],
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
    ) -> ParsedResponse[_T]: ...
    @overload
    async def poll(
        self,
        response_id: str,
        *,
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
    ) -> Response: ...
    async def poll(
        self,
        response_id: str,
        *,
        text_format: type[Any] | Omit = omit,
        poll_interval_ms: int | Omit = omit,
        max_wait_seconds: float | Omit = omit,
        cancel_on_interrupt: bool = False,
    ) -> Response | ParsedResponse[Any]:
        """Wait until the response leaves `queued`/`in_progress`; return it, or raise for a status in `raise_on`.

        Without `poll_interval_ms` each wait follows the server's `openai-poll-after-ms`
        (1000 ms when absent). `max_wait_seconds` bounds the whole wait with a
        `TimeoutError` (0 sends no request). With `cancel_on_interrupt=True`,
        cancelling the task while it waits also cancels the run on the server. With
        `text_format` (a pydantic model or type, as for `responses.parse`) the result is a
        `ParsedResponse` whose `output_parsed` is filled.
        """
        response = await async_poll(
            self,
            response_id,
            policy=_policy_of(self._client),
            poll_interval_ms=poll_interval_ms,
            max_wait_seconds=max_wait_seconds,
            cancel_on_interrupt=cancel_on_interrupt,
        )
        return _parsed(response, text_format, omit)

    @overload
    async def create_and_poll(
        self,
        *,
        text_format: type[_T],
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
        **create_params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> ParsedResponse[_T]: ...
    @overload
    async def create_and_poll(
        self,
        *,
        poll_interval_ms: int | Omit = ...,
        max_wait_seconds: float | Omit = ...,
        cancel_on_interrupt: bool = ...,
        **create_params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> Response: ...
    async def create_and_poll(
        self,
        *,
        text_format: type[Any] | Omit = omit,
        poll_interval_ms: int | Omit = omit,
        max_wait_seconds: float | Omit = omit,
        cancel_on_interrupt: bool = False,
        **create_params: Unpack[ResponseCreateParamsNonStreaming],
    ) -> Response | ParsedResponse[Any]:
        """`create(background=True, **create_params)`, then `poll` the new response.

        With `text_format`, the run is created by `responses.parse(text_format=...)`, which
        asks for that JSON schema, and the result is a `ParsedResponse`.
        """
        params: ResponseCreateParamsNonStreaming = {**create_params, "background": True}
        tools = _listed_tools(params)
        # openai's own create/parse: on a waiting client these would wait themselves, without
        # this call's interval, bound and interrupt choice.
        created = (
            await super().create(**params)
            if isinstance(text_format, Omit)
            else await super().parse(text_format=text_format, **params)
        )
        response = await self.poll(
            created.id,
            poll_interval_ms=poll_interval_ms,
            max_wait_seconds=max_wait_seconds,
            cancel_on_interrupt=cancel_on_interrupt,
        )
        return _parsed(response, text_format, tools)

    def poll_many(
        self,
        response_ids: Iterable[str],
        *,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        poll_interval_ms: int | Omit = omit,
        max_wait_seconds: float | Omit = omit,
    ) -> AsyncIterator[PollOutcome]:
        """Watch many background responses at once; yield one `PollOutcome` per id, in the order they finish.

        `async for outcome in client.responses.poll_many(ids): ...`. Each response is polled as
        `poll` would poll it alone (its own `openai-poll-after-ms`, or `poll_interval_ms`;
        `max_wait_seconds` per response, counted from the first iteration), with at most
        `max_concurrency` requests in flight. A failure is a value: `outcome.error` is the typed
        error for a status in `raise_on`, a `TimeoutError`, or the SDK's exception for requests
        that failed after its retries. Repeated ids, an empty id or a bad setting raise
        `ValueError` here, before any request.
        """
        fleet = Fleet(
            response_ids,
            max_concurrency=max_concurrency,
            poll_interval_ms=poll_interval_ms,
            max_wait_seconds=max_wait_seconds,
        )
        return async_poll_many(self, fleet, policy=_policy_of(self._client))

    async def from_webhook(
        self, payload: str | bytes, headers: Mapping[str, str], *, secret: str | None = None
    ) -> Response | None:
        """Verify a webhook delivery with `webhooks.unwrap`; for a `response.completed|failed|incomplete|cancelled`
        event, retrieve that response (raising the typed error for a status in `raise_on`); else None.

        A bad signature raises `openai.InvalidWebhookSignatureError` and nothing is retrieved.
        `secret` defaults to the client's `webhook_secret` (`OPENAI_WEBHOOK_SECRET`).
        """
        return await async_from_webhook(self, payload, headers, secret=secret)
