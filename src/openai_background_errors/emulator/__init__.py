"""A local Responses API server whose background jobs run to a scripted fate.

Install with the ``[emulator]`` extra. Three ways to start it::

    python -m openai_background_errors.emulator --port 0   # prints the base URL

    with serve() as base_url:                               # in-process, on a thread
        client = openai.OpenAI(base_url=base_url, api_key="emulator")

    def test_x(background_api: str): ...                    # pytest fixture

The create request's ``metadata`` scripts each job (``emulator.outcome``,
``emulator.queue_ms``, ``emulator.run_ms``, ``emulator.poll_after_ms``,
``emulator.drop_stream_after``, ``emulator.poll_faults``, ``emulator.output_text``,
``emulator.stream_ttl_ms``, ``emulator.webhook_faults``, ``emulator.error_event``;
see `script`). Given a webhook URL and secret (``serve(webhook_url=...,
webhook_secret=...)``), it POSTs the API's signed event whenever a background
job ends (`webhooks`).

Modules, one job each:

    script        the metadata grammar -> Script
    inputs        the create request's input as listed input items
    error_events  a failed job's in-band error event, flat or nested
    job           a job's status, body and events as a pure function of elapsed time
    wire          the SDK's JSON shapes (Response, stream events, error envelope)
    store         one app's jobs, and streams that follow a job live
    webhooks      signed end-of-job events, delivered at least once from threads of their own
    faults        ASGI answers that cut a stream or a poll on purpose
    request_ids   middleware: x-request-id on every answer
    in_flight     middleware: a stopping server ends the requests it is answering
    app           the Starlette routes
    server        serve() / run_in_thread(): uvicorn on a background thread
    tenants       per-test emulators behind one server (for the fixture)
    pytest_plugin the background_api fixture
    __main__      the command line

Why Starlette on uvicorn. The server needs real HTTP/1.1 with chunked
server-sent events, a way to cut a connection mid-body, thousands of idle
timers without a thread each, and a clean start/stop inside a test process.

- Starlette gives routing, request parsing and JSON answers and nothing else;
  every response is a plain ASGI callable, so the scripted faults are two
  tiny classes that send ``http.response.start``/``body`` messages and stop
  (`faults`). It is fully typed (pyright/mypy strict work) and pure Python.
- uvicorn is the reference ASGI server, pure Python with ``h11`` (no compiled
  extras needed), and is embeddable: ``Server.run(sockets=[...])`` on a
  thread, ``started`` to wait for, ``should_exit`` to stop; it skips signal
  handling off the main thread. When an app returns mid-body it closes the
  connection, which is exactly the abrupt drop the client must see.
- FastAPI would add pydantic request models and OpenAPI we do not need (the
  SDK's own models validate the bodies in the tests). aiohttp is a whole
  client+server framework with compiled extensions and its own response
  API. Hypercorn works too but is less common and its shutdown trigger is
  clumsier to drive from another thread. WSGI stacks (Flask, werkzeug)
  hold a thread per open stream. ``http.server`` would mean hand-written
  HTTP, which is ruled out, and mocking libraries (respx does not even see
  httpx2 traffic) give no stateful, time-driven jobs.

The public names are imported lazily, so importing the pytest plugin module
does not require the extra until the fixture is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import EmulatorApp, create_app
    from .script import Script, ScriptError, parse_script
    from .server import run_in_thread, serve
    from .webhooks import WebhookTarget, new_webhook_secret

__all__ = [
    "EmulatorApp",
    "Script",
    "ScriptError",
    "WebhookTarget",
    "create_app",
    "new_webhook_secret",
    "parse_script",
    "run_in_thread",
    "serve",
]

_HOMES = {
    "EmulatorApp": "app",
    "create_app": "app",
    "Script": "script",
    "ScriptError": "script",
    "parse_script": "script",
    "run_in_thread": "server",
    "serve": "server",
    "WebhookTarget": "webhooks",
    "new_webhook_secret": "webhooks",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)
