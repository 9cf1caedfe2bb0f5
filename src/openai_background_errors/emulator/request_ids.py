"""ASGI middleware giving every answer a unique ``x-request-id``.

It sits outermost, so error pages, scripted faults and event streams all
carry the header, as every answer of the real API does. Ids are
``req_emu_<n>``, counted per app instance from 1.
"""

from __future__ import annotations

import itertools

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RequestIds"]


class RequestIds:
    """Wrap ``app`` so that each HTTP answer gets the next ``req_emu_<n>``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._numbers = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_emu_{next(self._numbers)}"

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        await self.app(scope, receive, send_with_id)
