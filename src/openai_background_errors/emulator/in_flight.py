"""ASGI middleware that ends every request in flight when the server stops.

Uvicorn's graceful shutdown waits for each response to finish, then, after
``timeout_graceful_shutdown``, cancels what is left and logs it at ERROR.
An event stream that follows a long job never finishes by itself, so every
stop with a live stream would wait out that timeout and log a traceback.
`InFlight.stop` (called on the server's event loop as it starts shutting
down) cancels every request being answered instead:

- a stream already under way is cut where it is, as a scripted drop is (the
  chunked body never gets its last chunk, so a client sees the server go,
  never a stream that looks complete);
- a request with no answer started yet, or one arriving after the stop,
  gets a 503 naming the reason.
"""

from __future__ import annotations

import anyio
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .wire import api_error

__all__ = ["InFlight"]


class InFlight:
    """Wrap ``app`` so that `stop` can end every HTTP request it is answering."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._answering: set[anyio.CancelScope] = set()
        self._stopping = False

    def stop(self) -> None:
        """End every request in flight and refuse new ones; call it on the server's event loop."""
        self._stopping = True
        for request in self._answering:
            request.cancel()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        with anyio.CancelScope() as request:
            if self._stopping:
                request.cancel()
            self._answering.add(request)
            try:
                await self.app(scope, receive, send_tracked)
            finally:
                self._answering.discard(request)
        if request.cancelled_caught and not started:
            error = api_error("The emulator is shutting down.", type="server_error")
            await JSONResponse(error, status_code=503)(scope, receive, send)
