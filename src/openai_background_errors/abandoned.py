"""Background streams that cancel their run when the caller abandons them (`cancel_abandoned_streams=True`).

A client made with `cancel_abandoned_streams=True` hands out these streams in place of
`BackgroundEventStream` / `AsyncBackgroundEventStream`. When the caller stops reading a
background run's stream before its terminal event (closes it, leaves its `with` block,
closes its generator, interrupts it with `KeyboardInterrupt`, or cancels the task reading
it), the run is cancelled on the server before that propagates; otherwise it would go on
running, and billing, with nobody to read it. A failed cancel is logged, never raised over
what is propagating.

A stream that ended on its own (a terminal event, a typed error, the end of the stream, an
error that ended the read) is left alone, and so is a foreground stream (closing its
connection is what stops it). The run's id is known once the stream has said it (its
first event, or the URL of `retrieve(stream=True)`): a `create(stream=True)` closed before
any event was read has nothing to cancel by.

Off by default: reattaching to a background run later is one reason to run in the background.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from .polling import async_cancel_quietly, cancel_quietly
from .streaming import (
    AsyncBackgroundEventStream,
    BackgroundEventStream,
    _is_terminal,  # pyright: ignore[reportPrivateUsage]
    _ResumePoint,  # pyright: ignore[reportPrivateUsage]
)

if TYPE_CHECKING:
    import httpx2
    from openai.types.responses import ResponseStreamEvent

__all__ = ["AsyncCancellingEventStream", "CancellingEventStream"]


class _Run:
    """The run one stream reads: its id, whether it runs in the background, and whether it has ended."""

    def __init__(self, request: httpx2.Request) -> None:
        # What a resume needs to know is what a cancel needs: the run's id, and that it is a
        # background one (a GET streams an existing response, which only background runs allow).
        self._point = _ResumePoint(request)
        self.ended = False

    def saw(self, event: ResponseStreamEvent) -> None:
        self._point.saw(event)
        if _is_terminal(event):
            self.ended = True

    def to_cancel(self) -> str | None:
        """The id of the background run left unfinished, once: None when there is none to cancel."""
        if self.ended or not self._point.resumable:
            return None
        self.ended = True
        return self._point.response_id


def _the_run(stream: CancellingEventStream | AsyncCancellingEventStream) -> _Run:
    """The run `stream` reads, known from its request before any event is read (a stream closed
    unread is abandoned too; `retrieve(stream=True)` names its run in the URL)."""
    if stream._run is None:  # pyright: ignore[reportPrivateUsage]
        stream._run = _Run(stream.response.request)  # pyright: ignore[reportPrivateUsage]
    return stream._run  # pyright: ignore[reportPrivateUsage]


class CancellingEventStream(BackgroundEventStream):
    """`BackgroundEventStream` that cancels its background run when abandoned before its end."""

    _run: _Run | None = None

    def __stream__(self) -> Iterator[ResponseStreamEvent]:
        run = self._run = _Run(self.response.request)
        try:
            for event in super().__stream__():
                run.saw(event)
                yield event
        except (GeneratorExit, KeyboardInterrupt):
            self._cancel_abandoned_run(after="its stream was abandoned")
            raise
        except BaseException:
            run.ended = True  # ended by an error of its own (the typed one, a lost connection)
            raise
        run.ended = True

    def close(self) -> None:
        self._cancel_abandoned_run(after="its stream was closed")
        super().close()

    def _cancel_abandoned_run(self, *, after: str) -> None:
        response_id = _the_run(self).to_cancel()
        if response_id is not None:
            cancel_quietly(self._client.responses, response_id, after=after)


class AsyncCancellingEventStream(AsyncBackgroundEventStream):
    """`AsyncBackgroundEventStream` that cancels its background run when abandoned before its end."""

    _run: _Run | None = None

    async def __stream__(self) -> AsyncIterator[ResponseStreamEvent]:
        run = self._run = _Run(self.response.request)
        try:
            async for event in super().__stream__():
                run.saw(event)
                yield event
        except (GeneratorExit, asyncio.CancelledError):
            await self._cancel_abandoned_run(after="its stream was abandoned")
            raise
        except BaseException:
            run.ended = True
            raise
        run.ended = True

    async def close(self) -> None:
        await self._cancel_abandoned_run(after="its stream was closed")
        await super().close()

    async def _cancel_abandoned_run(self, *, after: str) -> None:
        response_id = _the_run(self).to_cancel()
        if response_id is not None:
            await async_cancel_quietly(self._client.responses, response_id, after=after)
