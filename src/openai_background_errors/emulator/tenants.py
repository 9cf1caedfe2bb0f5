"""Many isolated emulators behind one server, one per URL prefix.

The pytest fixture uses this so that each test gets a fresh emulator (fresh
state, its own request-id counter) without paying for a server start and
stop per test: ``/<tenant>/v1/...`` is routed to that tenant's app, with
``root_path`` set so the app's own routes match unchanged.
"""

from __future__ import annotations

import itertools
import threading

from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from .app import EmulatorApp, create_app
from .webhooks import WebhookTarget
from .wire import api_error

__all__ = ["Tenants"]


class Tenants:
    """An ASGI app dispatching on the first path segment to per-tenant emulators."""

    def __init__(self) -> None:
        self._apps: dict[str, EmulatorApp] = {}
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)

    def add(self, *, webhook: WebhookTarget | None = None) -> str:
        """Create a fresh emulator (POSTing its jobs' ends to ``webhook``); return its prefix (``t<n>``)."""
        app = create_app(webhook=webhook)
        with self._lock:
            name = f"t{next(self._numbers)}"
            self._apps[name] = app
        return name

    def remove(self, name: str) -> None:
        """Forget a tenant and its state (stopping its webhooks); its URLs answer 404 from now on."""
        with self._lock:
            app = self._apps.pop(name, None)
        if app is not None:
            app.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        name = path.lstrip("/").partition("/")[0]
        with self._lock:
            app = self._apps.get(name)
        if app is None:
            body = api_error(f"No emulator is mounted at '/{name}'.", type="invalid_request_error")
            await JSONResponse(body, status_code=404)(scope, receive, send)
            return
        root_path: str = scope.get("root_path", "")
        await app({**scope, "root_path": f"{root_path}/{name}"}, receive, send)
