"""ASGI responses that break the connection on purpose.

Uvicorn writes the status line and headers as soon as the app sends
``http.response.start``, and closes the TCP connection when an app returns
without having sent the final ``http.response.body`` (``more_body`` false).
Both responses here use exactly that, through plain ASGI messages, so no
HTTP is written by hand and no exception is raised inside the server:

- `EventStream` sends server-sent events as chunks and, when told to drop,
  returns early: the chunked body never gets its terminating zero-length
  chunk, and the client reads a truncated stream (``httpx2`` raises
  ``RemoteProtocolError``, which the ``openai`` SDK turns into
  ``APIConnectionError``).
- `ConnectionReset` sends a status line promising a body and closes the
  connection without it. That is the closest to a TCP reset an ASGI app
  can get (the status line is already on the wire when the app could act);
  the client sees ``RemoteProtocolError`` while reading the body, which the
  SDK treats as a connection error and retries.

Uvicorn logs "ASGI callable returned without completing response." for both;
`serve` filters that one message out of the ``uvicorn.error`` logger.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .wire import Json, sse_frame

__all__ = ["ConnectionReset", "EventStream"]


class EventStream(Response):
    """A ``text/event-stream`` answer that may be cut after ``drop_after`` events.

    ``take_drop`` is asked when ``drop_after`` events have been sent; if it
    answers True the connection is cut there, otherwise the stream goes on
    to its natural end.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        events: AsyncIterator[Json],
        *,
        drop_after: int | None = None,
        take_drop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers({"cache-control": "no-cache"})
        self._events = events
        self._drop_after = drop_after
        self._take_drop = take_drop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        completed = False
        async with anyio.create_task_group() as group:

            async def watch_disconnect() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            group.start_soon(watch_disconnect)
            completed = await self._send_events(send)
            group.cancel_scope.cancel()
        if completed:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _send_events(self, send: Send) -> bool:
        """Send events until the source ends (True) or the scripted drop (False)."""
        sent = 0
        if self._drop_due(sent):
            return False
        async for event in self._events:
            await send({"type": "http.response.body", "body": sse_frame(event), "more_body": True})
            sent += 1
            if self._drop_due(sent):
                return False
        return True

    def _drop_due(self, sent: int) -> bool:
        return sent == self._drop_after and self._take_drop()


class ConnectionReset(Response):
    """Headers that promise a JSON body, then a closed connection."""

    def __init__(self) -> None:
        self.status_code = 200
        self.background = None
        self.init_headers({"content-type": "application/json", "content-length": "64"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
