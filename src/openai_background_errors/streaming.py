"""Streams of Responses events that raise where a background run ends unsuccessfully.

`FailureWatch` builds the error an event that ends the run stands for.
`watch_events` / `async_watch_events` apply it to any iterator of events: every
event before the one that reveals the failure is yielded, and that one is raised
in its place, as the SDK's own `Stream` does with an error payload (consumers
such as openai-agents and langchain-openai stop reading there, so an error
raised one event later would never reach their callers). A `response.failed`
event raises the registry's class with the whole `Response`; an `error` event is
followed by a `response.failed` that says more, so the watch reads one event
ahead for it and raises from the `error` event alone (`response` None, fields
from the event) when none follows. An `error` event may be flat or nested
(`in_band`); the SDK's own `APIError` for a nested one is turned back into the
event where it is raised, so the watch sees every in-band error as an event.

`BackgroundEventStream` / `AsyncBackgroundEventStream` are the SDK's `Stream`
with that watch applied, plus what the SDK cannot do: when the connection drops
in the middle of a background response, they reconnect with
`retrieve(stream=True, starting_after=<last sequence number seen>)`, so the
consumer sees every event once, in order. When the server refuses that resume
because the response is too old to stream, they learn how the run ended by
polling it, so the outcome is never lost. A background stream that ends cleanly
without a terminal event (a run cancelled on the server ends its stream so, and
so does one the SDK stopped at a nested `error` event) retrieves the run once:
a terminal run ends the stream as a refused resume does, a run still going is
resumed after the server's poll hint, as after a drop. A foreground stream
cannot be resumed: a drop still raises the SDK's `APIConnectionError`, and a
clean end is left as the SDK leaves it.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterable, AsyncIterator, Generator, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, cast

from openai import APIConnectionError, APIError, AsyncStream, BadRequestError, Stream, omit
from openai._streaming import ServerSentEvent
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseStreamEvent,
)

from .errors import BackgroundResponseError, BackgroundResponseFailedError
from .in_band import error_event_from, read_error_event
from .polling import Schedule, async_poll, async_poll_once, poll, poll_once

if TYPE_CHECKING:
    import httpx2
    from openai.resources.responses import AsyncResponses, Responses

    from .registry import RaisePolicy

__all__ = [
    "AsyncBackgroundEventStream",
    "BackgroundEventStream",
    "FailureWatch",
    "async_watch_events",
    "watch_events",
]

_TERMINAL_EVENTS = frozenset({"response.completed", "response.failed", "response.incomplete"})
_LIFECYCLE_EVENTS = _TERMINAL_EVENTS | {"response.created", "response.queued", "response.in_progress"}


class FailureWatch:
    """Follows one stream's events and builds the error its ending stands for."""

    def __init__(self, policy: RaisePolicy, *, request_id: str | None) -> None:
        self.policy = policy
        self.request_id = request_id
        """The `x-request-id` of the connection now being read (it changes when a stream resumes)."""
        self._error_event: ResponseStreamEvent | None = None

    def error_after(self, event: ResponseStreamEvent) -> BackgroundResponseError | None:
        """The error `event` stands for, if it ends the run in a raising status (an `error` event is
        remembered until a terminal response event supersedes it, or the stream ends)."""
        # Lenient parsing: an event's data may be any JSON value, its type any value.
        kind: object = getattr(event, "type", None)
        if kind == "error":
            self._error_event = event
            return None
        if not isinstance(kind, str) or kind not in _TERMINAL_EVENTS:
            return None
        # A terminal response event supersedes an earlier `error` event: it says how the run ended.
        self._error_event = None
        response: object = cast(Any, event).response
        if not isinstance(response, Response):
            # No response object to classify, but the event's type still says how the run ended.
            status = kind.removeprefix("response.")
            cls = self.policy.registry.lookup(status, None) if status in self.policy.raise_on else None
            return (
                None
                if cls is None
                else cls(request_id=self.request_id, sequence_number=event.sequence_number)
            )
        error = self.policy.error_for(response, request_id=self.request_id)
        if error is not None:
            error.sequence_number = event.sequence_number
        return error

    def keep_what_the_event_said(self, failure: BackgroundResponseError) -> None:
        """Give a failure learned by looking the run up after an `error` event what only that event
        carried (the nested object's `type` and any other key, such as rate-limit `headers`)."""
        if self._error_event is None or not isinstance(failure, BackgroundResponseFailedError):
            return
        said = read_error_event(self._error_event)
        if said.code == failure.code:
            failure.error_type = failure.error_type or said.error_type
            failure.details = {**said.details, **(failure.details or {})}

    def error_at_end(self) -> BackgroundResponseError | None:
        """The error for a stream that ended after an `error` event and no terminal response event.

        The class and `retryable` follow the event's `code` alone, in either shape (never its `type`)."""
        return self.error_from_event(self._error_event)

    def error_from_event(self, event: ResponseStreamEvent | None) -> BackgroundResponseError | None:
        """The error an in-band `error` event stands for, where failures raise."""
        if event is None or "failed" not in self.policy.raise_on:
            return None
        code = read_error_event(event).code
        cls = cast(type[BackgroundResponseFailedError], self.policy.registry.lookup("failed", code))
        return cls.from_error_event(event, request_id=self.request_id)


def _first_of_two(
    watch: FailureWatch, following: ResponseStreamEvent | None
) -> BackgroundResponseError | None:
    """The error of the `error` event read, with a second `error` event right after it as its cause."""
    error = watch.error_at_end()
    if error is not None and getattr(following, "type", None) == "error":
        error.__cause__ = watch.error_from_event(following)
    return error


def _is_terminal(event: ResponseStreamEvent) -> bool:
    # Lenient parsing: an event's type may be any JSON value.
    kind: object = getattr(event, "type", None)
    return isinstance(kind, str) and kind in _TERMINAL_EVENTS


_UNREADABLE = (APIError, ValueError)
"""What may stop the read past an `error` event: the SDK's `APIError`s (a connection lost for good,
a refused resume, an error payload) and data that does not decode (`json.JSONDecodeError`)."""


def watch_events(events: Iterable[ResponseStreamEvent], watch: FailureWatch) -> Iterator[ResponseStreamEvent]:
    """Yield the events of `events` up to the one that ends the run in a raising status; raise that one."""
    raises_failures = "failed" in watch.policy.raise_on
    iterator = iter(events)
    for event in iterator:
        error = watch.error_after(event)
        if raises_failures and getattr(event, "type", None) == "error":
            # The `response.failed` that normally follows an `error` event carries the whole
            # response: read one event ahead for it (a terminal event of another kind decides instead).
            try:
                following = next(iterator, None)
            except BackgroundResponseError as failure:  # the run, looked up after the event
                watch.keep_what_the_event_said(failure)
                raise
            except _UNREADABLE as unreadable:
                # The read-ahead is this package's: whatever stops it must not hide the failure
                # the `error` event already reported (the stock SDK would have delivered it first).
                raise cast(BackgroundResponseError, watch.error_at_end()) from unreadable
            if following is not None and _is_terminal(following):
                error = watch.error_after(following)
                if error is None:  # the run ended without a failure: both events are delivered
                    yield event
                    yield following
                    continue
            else:
                error = _first_of_two(watch, following)
        if error is not None:
            raise error
        yield event


async def async_watch_events(
    events: AsyncIterable[ResponseStreamEvent], watch: FailureWatch
) -> AsyncIterator[ResponseStreamEvent]:
    """Yield the events of `events` up to the one that ends the run in a raising status; raise that one."""
    raises_failures = "failed" in watch.policy.raise_on
    iterator = aiter(events)
    async for event in iterator:
        error = watch.error_after(event)
        if raises_failures and getattr(event, "type", None) == "error":
            try:
                following = await anext(iterator, None)
            except BackgroundResponseError as failure:  # the run, looked up after the event
                watch.keep_what_the_event_said(failure)
                raise
            except _UNREADABLE as unreadable:
                raise cast(BackgroundResponseError, watch.error_at_end()) from unreadable
            if following is not None and _is_terminal(following):
                error = watch.error_after(following)
                if error is None:
                    yield event
                    yield following
                    continue
            else:
                error = _first_of_two(watch, following)
        if error is not None:
            raise error
        yield event


def _connection_errors() -> tuple[type[Exception], ...]:
    """What a dropped connection raises while a stream is read.

    openai >= 3.14 wraps the HTTP library's errors in `APIConnectionError`; openai 2.x and
    3.0-3.13 let the library's own `RequestError` out, from httpx or httpx2 (whichever the
    SDK loaded). Those are caught too, and wrapped when the stream cannot resume, so every
    supported SDK reports a drop the same way.
    """
    raw = (
        cast(type[Exception], module.RequestError)
        for name in ("httpx2", "httpx")
        if (module := sys.modules.get(name)) is not None
    )
    return (APIConnectionError, *raw)


def _too_old_to_stream(refusal: BadRequestError) -> bool:
    """Whether the server refused to stream a response again because it is too old (openai-python #2828)."""
    # The API says so only in the message: "This response can no longer be streamed because it
    # is more than 5 minutes old." (a 400 with no code of its own).
    return "can no longer be streamed" in refusal.message


# A polled terminal response, as the stream event that would have ended the stream. There is no
# stream event for a cancelled response: such a stream just ends, as the API's own does.
_TERMINAL_EVENT_OF_STATUS: dict[str, type[ResponseStreamEvent]] = {
    "completed": ResponseCompletedEvent,
    "failed": ResponseFailedEvent,
    "incomplete": ResponseIncompleteEvent,
}


def _ending(response: Response, point: _ResumePoint) -> list[ResponseStreamEvent]:
    """The terminal event built from a polled `response`, numbered after the last event seen
    (the real number is unknown: the events between the drop and the end were never received)."""
    status: object = response.status
    event_cls = _TERMINAL_EVENT_OF_STATUS.get(status) if isinstance(status, str) else None
    if event_cls is None:
        return []
    return [
        event_cls.construct(
            type=f"response.{status}", response=response, sequence_number=point.next_sequence_number()
        )
    ]


@contextmanager
def _in_place_of_the_terminal_event(point: _ResumePoint) -> Generator[None, None, None]:
    """A failure learned by retrieving the run once its stream ended cleanly is raised in place of
    the terminal event the stream never sent, numbered as `_ending` numbers that event: after an
    `error` event, the number its `response.failed` would have had."""
    try:
        yield
    except BackgroundResponseError as failure:
        failure.sequence_number = point.next_sequence_number()
        raise


def _in_band_event(
    raised: APIError, stream: BackgroundEventStream | AsyncBackgroundEventStream
) -> ResponseStreamEvent:
    """The `error` event the SDK raised `raised` for while reading `stream`, or `raised` itself: for
    any other error, and where failures do not raise (the stock stream raises it then)."""
    if "failed" not in stream._client.raise_policy.raise_on:  # pyright: ignore[reportPrivateUsage]
        raise raised
    last = stream.last_server_sent_event
    last_sent = None if last is None else last.json()
    event = error_event_from(raised, stream.response.request, last_sent)
    if event is None:
        raise raised
    return event


class _Host(Protocol):
    """What a stream needs of the client that opened it."""

    @property
    def raise_policy(self) -> RaisePolicy: ...
    @property
    def max_stream_resumes(self) -> int: ...


class _SyncHost(_Host, Protocol):
    @property
    def responses(self) -> Responses: ...


class _AsyncHost(_Host, Protocol):
    @property
    def responses(self) -> AsyncResponses: ...


class _ResumePoint:
    """Where a dropped stream picks up: the response it streams, whether it can resume, the last event seen."""

    def __init__(self, request: httpx2.Request) -> None:
        # A GET streams an existing response, which only background responses allow.
        self.resumable = request.method == "GET"
        self.response_id: str | None = request.url.path.rsplit("/", 1)[-1] if self.resumable else None
        # A stream that itself started after event N resumes after N, even before its first event.
        started_after = request.url.params.get("starting_after")
        self.last_sequence_number: int | None = (
            int(started_after) if started_after is not None and started_after.isdigit() else None
        )
        self._asked_after_an_event = started_after is not None
        self._saw_any = False
        self._query = _resumed_query(request.url.params) if self.resumable else {}
        self.ended = False
        """Whether a terminal event arrived: the stream then says how the run ended."""

    def saw(self, event: ResponseStreamEvent) -> None:
        # Lenient parsing: only an event with an integer number is a point to resume after.
        self._saw_any = True
        number: object = getattr(event, "sequence_number", None)
        if isinstance(number, int):
            self.last_sequence_number = number
        # Only the lifecycle events carry the response; asking a delta event for it costs more
        # than the check (pydantic raises and catches inside a missing attribute's lookup).
        kind: object = getattr(event, "type", None)
        self.ended = self.ended or _is_terminal(event)
        if isinstance(kind, str) and kind in _LIFECYCLE_EVENTS:
            response: object = cast(Any, event).response
            if not isinstance(response, Response):  # lenient parsing lets any value through
                return
            self.response_id = response.id
            self.resumable = self.resumable or bool(response.background)

    def next_sequence_number(self) -> int:
        """The number the stream's next event would have had."""
        after = self.last_sequence_number
        return 0 if after is None else after + 1

    def end_is_unknown(self) -> bool:
        """Whether a stream that ended cleanly left how its run ended unknown: no terminal event
        arrived and the run can be retrieved. Not so for a stream asked for the events after one
        that then received none: the API sends nothing after a run's terminal event, so the
        caller already had it (the stream ends as the stock one does)."""
        asked_past_the_end = self._asked_after_an_event and not self._saw_any
        return not self.ended and self.can_look_up() and not asked_past_the_end

    def can_look_up(self) -> bool:
        """Whether the run can be retrieved, and so resumed: a background run whose id is known."""
        return self.resumable and self.response_id is not None

    def can_resume(self, resumes: int, max_resumes: int) -> bool:
        return self.can_look_up() and resumes < max_resumes

    def schedule(self) -> Schedule:
        """How the run is looked up once when its stream ended without a terminal event."""
        return Schedule(cast(str, self.response_id), omit, omit)

    def retrieve_arguments(self) -> dict[str, Any]:
        """What `responses.retrieve` takes to stream the rest: the events after the last one seen,
        with the original request's other query parameters (`include`, `include_obfuscation`, ...)."""
        after = self.last_sequence_number
        return {
            "response_id": self.response_id,
            "stream": True,
            "starting_after": omit if after is None else after,
            "extra_query": self._query or None,
        }


def _resumed_query(params: httpx2.QueryParams) -> dict[str, object]:
    # `stream` and `starting_after` are the resume's own; repeated `include[]` keys go back as the
    # list the SDK encodes them from.
    query: dict[str, object] = {}
    for key in params:
        if key in ("stream", "starting_after"):
            continue
        values = params.get_list(key)
        if key.endswith("[]"):
            query[key[:-2]] = values
        else:
            query[key] = values[0] if len(values) == 1 else values
    return query


class BackgroundEventStream(Stream[ResponseStreamEvent]):
    """The SDK's stream of Responses events, raising typed errors and resuming dropped background streams."""

    _client: _SyncHost  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]
    last_server_sent_event: ServerSentEvent | None = None
    """The last event this connection read: the whole of an `error` event the SDK raised for."""

    def _iter_events(self) -> Iterator[ServerSentEvent]:
        for sent in super()._iter_events():
            self.last_server_sent_event = sent
            yield sent

    def __stream__(self) -> Iterator[ResponseStreamEvent]:
        watch = FailureWatch(self._client.raise_policy, request_id=self.response.headers.get("x-request-id"))
        try:
            yield from watch_events(self._resuming(watch), watch)
        except BackgroundResponseError:
            # The outcome is known: release the connection, as reading the body to its end does.
            self.response.close()
            raise

    def _events(self) -> Iterator[ResponseStreamEvent]:
        """This connection's events, neither watched nor resumed; they end at an in-band error
        the SDK raised, delivered as the `error` event it was raised for when failures raise."""
        try:
            yield from super().__stream__()
        except APIError as raised:
            yield _in_band_event(raised, self)

    def _poll(self, point: _ResumePoint) -> Response:
        return poll(self._client.responses, cast(str, point.response_id), policy=self._client.raise_policy)

    def _resuming(self, watch: FailureWatch) -> Iterator[ResponseStreamEvent]:
        point = _ResumePoint(self.response.request)
        events, resumes = self._events(), 0
        while True:
            try:
                for event in events:
                    point.saw(event)
                    yield event
            except _connection_errors() as dropped:
                if not point.can_resume(resumes, self._client.max_stream_resumes):
                    if isinstance(dropped, APIConnectionError):
                        raise
                    raise APIConnectionError(request=self.response.request) from dropped
            else:
                if not point.end_is_unknown():
                    return
                # A background stream that ends without a terminal event (a run cancelled on
                # the server ends its stream so) learns how the run ended with one retrieve.
                with _in_place_of_the_terminal_event(point):
                    step = poll_once(self._client.responses, point.schedule(), self._client.raise_policy)
                if isinstance(step, Response):
                    yield from _ending(step, point)
                    return
                if not point.can_resume(resumes, self._client.max_stream_resumes):
                    return
                self._client.responses._sleep(step)  # pyright: ignore[reportPrivateUsage]
            resumes += 1
            self.response.close()
            try:
                replacement = cast(
                    BackgroundEventStream,
                    self._client.responses.retrieve(**point.retrieve_arguments()),
                )
            except BadRequestError as refused:
                if not _too_old_to_stream(refused):
                    raise
                # The rest of the stream is gone; the outcome is not: poll for it. A status in
                # `raise_on` raises there; any other ends the stream with its terminal event.
                yield from _ending(self._poll(point), point)
                return
            self.response = replacement.response
            watch.request_id = replacement.response.headers.get("x-request-id")
            events = replacement._events()


class AsyncBackgroundEventStream(AsyncStream[ResponseStreamEvent]):
    """The SDK's async stream of Responses events, raising typed errors and resuming dropped background streams."""

    _client: _AsyncHost  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]
    last_server_sent_event: ServerSentEvent | None = None
    """The last event this connection read: the whole of an `error` event the SDK raised for."""

    async def _iter_events(self) -> AsyncIterator[ServerSentEvent]:
        async for sent in super()._iter_events():
            self.last_server_sent_event = sent
            yield sent

    async def __stream__(self) -> AsyncIterator[ResponseStreamEvent]:
        watch = FailureWatch(self._client.raise_policy, request_id=self.response.headers.get("x-request-id"))
        try:
            async for event in async_watch_events(self._resuming(watch), watch):
                yield event
        except BackgroundResponseError:
            await self.response.aclose()
            raise

    async def _events(self) -> AsyncIterator[ResponseStreamEvent]:
        """This connection's events, neither watched nor resumed; they end at an in-band error
        the SDK raised, delivered as the `error` event it was raised for when failures raise."""
        try:
            async for event in super().__stream__():
                yield event
        except APIError as raised:
            yield _in_band_event(raised, self)

    async def _poll(self, point: _ResumePoint) -> Response:
        return await async_poll(
            self._client.responses, cast(str, point.response_id), policy=self._client.raise_policy
        )

    async def _resuming(self, watch: FailureWatch) -> AsyncIterator[ResponseStreamEvent]:
        point = _ResumePoint(self.response.request)
        events, resumes = self._events(), 0
        while True:
            try:
                async for event in events:
                    point.saw(event)
                    yield event
            except _connection_errors() as dropped:
                if not point.can_resume(resumes, self._client.max_stream_resumes):
                    if isinstance(dropped, APIConnectionError):
                        raise
                    raise APIConnectionError(request=self.response.request) from dropped
            else:
                if not point.end_is_unknown():
                    return
                with _in_place_of_the_terminal_event(point):
                    step = await async_poll_once(
                        self._client.responses, point.schedule(), self._client.raise_policy
                    )
                if isinstance(step, Response):
                    for event in _ending(step, point):
                        yield event
                    return
                if not point.can_resume(resumes, self._client.max_stream_resumes):
                    return
                await self._client.responses._sleep(step)  # pyright: ignore[reportPrivateUsage]
            resumes += 1
            await self.response.aclose()
            try:
                replacement = cast(
                    AsyncBackgroundEventStream,
                    await self._client.responses.retrieve(**point.retrieve_arguments()),
                )
            except BadRequestError as refused:
                if not _too_old_to_stream(refused):
                    raise
                for event in _ending(await self._poll(point), point):
                    yield event
                return
            self.response = replacement.response
            watch.request_id = replacement.response.headers.get("x-request-id")
            events = replacement._events()
