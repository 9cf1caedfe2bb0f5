"""What the SDK adds on top of the background-error modules: the opt-in and the new methods.

- `raise_for_status(response)` is the opt-in for a response already held, e.g.
  from `client.responses.retrieve(...)`, which itself never raises for a
  failed run;
- `poll` / `create_and_poll` back `client.responses.poll(...)` and
  `client.responses.create_and_poll(...)`, which are new and raise for a failed
  run (an incomplete or cancelled response is returned);
- `ResponseStreamWatch` lets the Responses stream helper raise the typed error
  from `until_done()` / `get_final_response()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union, Optional, cast
from collections.abc import Iterable, Iterator, AsyncIterable, AsyncIterator
from typing_extensions import Unpack

import httpx2

from .._types import Body, Omit, Query, Headers, NotGiven, omit
from .._exceptions import BackgroundResponseError
from ._background_errors import RaisePolicy, ErrorRegistry, error_for, raise_for_status as _raise_for_status
from ._background_polling import poll as _poll, async_poll as _async_poll
from ._background_streaming import FailureWatch
from ..types.responses.response import Response
from ..types.responses.response_stream_event import ResponseStreamEvent
from ..types.responses.response_create_params import ResponseCreateParamsNonStreaming

if TYPE_CHECKING:
    from .._streaming import Stream, AsyncStream
    from ..resources.responses.responses import Responses, AsyncResponses

__all__ = ["raise_for_status", "poll", "async_poll", "create_and_poll", "async_create_and_poll", "ResponseStreamWatch"]

_RAISE_ON_FAILED = RaisePolicy.of(("failed",), None)


class CreateAndPollParams(ResponseCreateParamsNonStreaming, total=False):
    """`responses.create()`'s parameters plus `poll()`'s two keywords."""

    poll_interval_ms: int
    max_wait_seconds: float
    extra_headers: Optional[Headers]
    extra_query: Optional[Query]
    extra_body: Optional[Body]
    timeout: Union[float, httpx2.Timeout, None, NotGiven]


def raise_for_status(
    response: Response,
    *,
    incomplete: bool = False,
    cancelled: bool = False,
    registry: Optional[ErrorRegistry] = None,
    raise_on_incomplete: Optional[bool] = None,
) -> Response:
    """Raise the typed error for a failed `response` (and, when asked, an incomplete or cancelled one).

    Returns `response` unchanged otherwise, so calls chain:
    `text = raise_for_status(client.responses.retrieve(response_id)).output_text`.
    `raise_on_incomplete=` is accepted as another spelling of `incomplete=`.
    """
    if raise_on_incomplete is not None:
        incomplete = incomplete or raise_on_incomplete
    return _raise_for_status(response, incomplete=incomplete, cancelled=cancelled, registry=registry)


def poll(
    resource: Responses,
    response_id: str,
    *,
    poll_interval_ms: int | Omit,
    max_wait_seconds: float | Omit,
) -> Response:
    return _poll(
        resource,
        response_id,
        policy=_RAISE_ON_FAILED,
        poll_interval_ms=poll_interval_ms,
        max_wait_seconds=max_wait_seconds,
    )


async def async_poll(
    resource: AsyncResponses,
    response_id: str,
    *,
    poll_interval_ms: int | Omit,
    max_wait_seconds: float | Omit,
) -> Response:
    return await _async_poll(
        resource,
        response_id,
        policy=_RAISE_ON_FAILED,
        poll_interval_ms=poll_interval_ms,
        max_wait_seconds=max_wait_seconds,
    )


def create_and_poll(resource: Responses, **params: Unpack[CreateAndPollParams]) -> Response:
    poll_interval_ms = params.pop("poll_interval_ms", omit)
    max_wait_seconds = params.pop("max_wait_seconds", omit)
    created = resource.create(**cast(Any, {**params, "background": True}))
    return resource.poll(created.id, poll_interval_ms=poll_interval_ms, max_wait_seconds=max_wait_seconds)


async def async_create_and_poll(resource: AsyncResponses, **params: Unpack[CreateAndPollParams]) -> Response:
    poll_interval_ms = params.pop("poll_interval_ms", omit)
    max_wait_seconds = params.pop("max_wait_seconds", omit)
    created = await resource.create(**cast(Any, {**params, "background": True}))
    return await resource.poll(created.id, poll_interval_ms=poll_interval_ms, max_wait_seconds=max_wait_seconds)


class ResponseStreamWatch(FailureWatch):
    """What the stream helper saw: `until_done()` raises for a failed run, `get_final_response()` for any unsuccessful one.

    Iteration itself never raises (the helper's events are unchanged). The raised error is
    also a `RuntimeError` and keeps the helper's earlier message as its prefix.
    """

    def __init__(self, raw_stream: Stream[ResponseStreamEvent] | AsyncStream[ResponseStreamEvent]) -> None:
        super().__init__(_RAISE_ON_FAILED, request_id=raw_stream.response.headers.get("x-request-id"))
        self._terminal: Response | None = None
        self._terminal_sequence_number: int | None = None

    def observe(self, events: Iterable[ResponseStreamEvent]) -> Iterator[ResponseStreamEvent]:
        for event in events:
            self._saw(event)
            yield event

    async def async_observe(self, events: AsyncIterable[ResponseStreamEvent]) -> AsyncIterator[ResponseStreamEvent]:
        async for event in events:
            self._saw(event)
            yield event

    def _saw(self, event: ResponseStreamEvent) -> None:
        self.error_after(event)  # remembers an `error` event until a terminal event supersedes it
        if event.type == "response.completed" or event.type == "response.failed" or event.type == "response.incomplete":
            self._terminal = event.response
            self._terminal_sequence_number = event.sequence_number

    def raise_if_unsuccessful(self, *, failed_only: bool = False) -> None:
        """Raise the typed error when the stream ended without completing (only a failure with `failed_only`)."""
        error: BackgroundResponseError | None = None
        if self._terminal is None:
            error = self.error_at_end()
        elif not failed_only or self._terminal.status == "failed":
            error = error_for(self._terminal, request_id=self.request_id)
            if error is not None:
                error.sequence_number = self._terminal_sequence_number
        if error is not None:
            error.args = (f"Didn't receive a `response.completed` event: {error}",)
            raise error
