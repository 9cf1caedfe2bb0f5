"""The Starlette app: the Responses endpoints the SDK uses for background work.

    POST   /v1/responses                    create (background or not, streamed or not)
    GET    /v1/responses/{id}               poll, or ?stream=true[&starting_after=N]
    DELETE /v1/responses/{id}               delete (the id is unknown from then on)
    GET    /v1/responses/{id}/input_items   the create request's input, as a cursor page
    POST   /v1/responses/{id}/cancel        cancel a background response
    POST   /v1/responses/input_tokens       count a request's input tokens (a deterministic count)
    POST   /v1/responses/compact            compact a conversation into one compaction item
    GET    /v1/emulator/responses           the emulator's own counters for every job
    GET    /v1/emulator/responses/{id}      ... and for one job

Request bodies are judged by the installed SDK's own request types first (`validation`).
Errors use the API's envelope ``{"error": {"message", "type", "param", "code"}}``;
any other method or path is a 404 in that envelope naming what the emulator
lacks (a bare "Not Found" would send a client, or a library built on one,
looking for a missing model). `create_app` returns a fresh instance with its
own, empty state; given a `WebhookTarget`, it also POSTs a signed event there
whenever a background job ends (`webhooks`), and its owner calls
`EmulatorApp.close` when done with it.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable
from typing import Any, cast

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .faults import ConnectionReset, EventStream
from .inputs import InputError, input_items
from .job import Job
from .request_ids import RequestIds
from .script import ScriptError, parse_script
from .store import Clock, Store
from .tokens import compacted, input_token_count
from .validation import COMPACT, INPUT_TOKENS, RequestRefused, judge, judge_create
from .webhooks import WebhookSender, WebhookTarget
from .wire import Json, api_error, echoed_fields

__all__ = ["EmulatorApp", "create_app"]

DEFAULT_MODEL = "gpt-emulator"
FAULT_RETRY_AFTER_MS = "20"
"""``retry-after-ms`` sent with scripted 500 and 429 polls, so SDK retries stay quick."""

STREAM_EXPIRED = "This response can no longer be streamed because it is more than 5 minutes old."
"""The API's refusal to stream a background response again once it is too old (openai-python #2828)."""
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

_INTEGER = re.compile(r"-?[0-9]{1,9}")


class BadRequest(Exception):
    """A 400 answer: ``message`` for the client, ``param`` naming the culprit."""

    def __init__(self, message: str, param: str | None, code: str = "invalid_value") -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


class EmulatorApp:
    """An ASGI app holding one `Store`; ``store`` is exposed for inspection."""

    def __init__(self, clock: Clock, webhook: WebhookTarget | None = None) -> None:
        self._webhooks = None if webhook is None else WebhookSender(webhook)
        self.store = Store(clock, self._webhooks)
        routes = [
            Route("/v1/responses", self.create, methods=["POST"]),
            Route("/v1/responses/input_tokens", self.input_tokens, methods=["POST"]),
            Route("/v1/responses/compact", self.compact, methods=["POST"]),
            Route("/v1/responses/{response_id}", self.retrieve, methods=["GET"]),
            Route("/v1/responses/{response_id}", self.delete, methods=["DELETE"]),
            Route("/v1/responses/{response_id}/input_items", self.input_items, methods=["GET"]),
            Route("/v1/responses/{response_id}/cancel", self.cancel, methods=["POST"]),
            Route("/v1/emulator/responses", self.all_stats, methods=["GET"]),
            Route("/v1/emulator/responses/{response_id}", self.stats, methods=["GET"]),
        ]
        self._served = [(sorted((route.methods or set()) - {"HEAD"}), route.path) for route in routes]
        # Last, so that it only gets what no route above matches fully (a known path with
        # another method included).
        routes.append(Route("/{path:path}", self.unimplemented, methods=list(METHODS)))
        starlette = Starlette(
            routes=routes,
            exception_handlers={HTTPException: _http_error, BadRequest: _bad_request},
        )
        self._asgi: ASGIApp = RequestIds(starlette)

    def close(self) -> None:
        """Stop the webhook sender's threads, if there are any (deliveries still queued are dropped)."""
        if self._webhooks is not None:
            self._webhooks.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._asgi(scope, receive, send)

    async def create(self, request: Request) -> Response:
        body = await _json_object(request)
        _judged(judge_create, body)
        self._known_previous(body)
        metadata = _metadata(body.get("metadata"))
        stream = _flag(body, "stream")
        background = _flag(body, "background")
        model = body.get("model") or DEFAULT_MODEL
        if not isinstance(model, str):
            raise BadRequest("Invalid type for 'model': expected a string.", "model", "invalid_type")
        try:
            script = parse_script(metadata)
        except ScriptError as exc:
            raise BadRequest(exc.message, f"metadata.{exc.key}") from None
        try:
            items = input_items(body.get("input"))
        except InputError as exc:
            raise BadRequest(exc.message, exc.param, "invalid_type") from None
        echo = echoed_fields(body)
        store = self.store
        job = store.create(
            script=script, model=model, background=background, metadata=metadata, echo=echo, input_items=items
        )
        if stream:
            return self._stream(job, after=-1)
        if background:
            # The API answers a background create before the run starts, however long the
            # answer takes to build here: the status the script gives at 0 ms (`queued`).
            return self._snapshot(job, elapsed=0.0)
        await store.wait_settled(job)
        return self._snapshot(job)

    async def input_tokens(self, request: Request) -> Response:
        body = await _json_object(request)
        _judged(functools.partial(judge, INPUT_TOKENS), body)
        self._known_previous(body)
        return JSONResponse({"object": "response.input_tokens", "input_tokens": input_token_count(body)})

    async def compact(self, request: Request) -> Response:
        body = await _json_object(request)
        _judged(functools.partial(judge, COMPACT), body)
        self._known_previous(body)
        return JSONResponse(compacted(body, created_at=int(time.time())))

    def _known_previous(self, body: dict[str, Any]) -> None:
        """The API's refusal of a ``previous_response_id`` it does not hold (deleted ones included)."""
        previous = body.get("previous_response_id")
        if isinstance(previous, str) and self.store.get(previous) is None:
            raise BadRequest(
                f"Previous response with id '{previous}' not found.",
                "previous_response_id",
                "previous_response_not_found",
            )

    async def retrieve(self, request: Request) -> Response:
        job = self._job(request)
        if request.query_params.get("stream", "false").lower() == "true":
            if not job.background:
                raise BadRequest(
                    "Only responses created with background=true can be streamed again.",
                    "stream",
                    "invalid_request",
                )
            if self.store.elapsed(job) * 1000 >= job.script.stream_ttl_ms:
                raise BadRequest(STREAM_EXPIRED, "stream", "invalid_request_error")
            return self._stream(job, after=_starting_after(request))
        job.stats.polls += 1
        fault = job.take_fault()
        if fault == "reset":
            return ConnectionReset()
        if fault == "500":
            error = api_error("The emulator failed this poll (scripted fault 500).", type="server_error")
            return JSONResponse(error, status_code=500, headers={"retry-after-ms": FAULT_RETRY_AFTER_MS})
        if fault == "429":
            error = api_error(
                "Rate limit reached (scripted fault 429).", type="requests", code="rate_limit_exceeded"
            )
            return JSONResponse(error, status_code=429, headers={"retry-after-ms": FAULT_RETRY_AFTER_MS})
        return self._snapshot(job)

    async def cancel(self, request: Request) -> Response:
        job = self._job(request)
        if not job.background:
            raise BadRequest("Cannot cancel a synchronous response.", None, "invalid_request")
        job.stats.cancels += 1
        self.store.cancel(job)
        return self._snapshot(job)

    async def delete(self, request: Request) -> Response:
        job = self._job(request)
        self.store.delete(job)
        return JSONResponse({"id": job.response_id, "object": "response", "deleted": True})

    async def input_items(self, request: Request) -> Response:
        job = self._job(request)
        return JSONResponse(_page(job.input_items, request))

    async def unimplemented(self, request: Request) -> Response:
        root: str = request.scope.get("root_path", "")
        served = ", ".join(f"{'|'.join(methods)} {root}{path}" for methods, path in self._served)
        message = (
            f"The openai-background-errors emulator does not implement {request.method} {request.url.path}; "
            f"it serves {served}."
        )
        return JSONResponse(api_error(message, type="invalid_request_error"), status_code=404)

    async def stats(self, request: Request) -> Response:
        return JSONResponse(self._stats(self._job(request)))

    async def all_stats(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [self._stats(job) for job in self.store.jobs()]})

    def _stats(self, job: Job) -> Json:
        status = job.status(self.store.elapsed(job))
        return {"id": job.response_id, "status": status, "background": job.background, **job.stats.to_json()}

    def _job(self, request: Request) -> Job:
        response_id = str(request.path_params["response_id"])
        job = self.store.get(response_id)
        if job is None:
            raise HTTPException(404, f"No response found with id '{response_id}'.")
        return job

    def _snapshot(self, job: Job, *, elapsed: float | None = None) -> Response:
        if elapsed is None:
            elapsed = self.store.elapsed(job)
        headers = {} if job.settled(elapsed) else {"openai-poll-after-ms": str(job.script.poll_after_ms)}
        return JSONResponse(job.snapshot(elapsed), headers=headers)

    def _stream(self, job: Job, *, after: int) -> Response:
        job.stats.streams += 1
        return EventStream(
            self.store.follow(job, after=after),
            drop_after=job.script.drop_after_events,
            take_drop=job.take_drop,
        )


def create_app(*, clock: Clock | None = None, webhook: WebhookTarget | None = None) -> EmulatorApp:
    """A new emulator with empty state; ``clock`` defaults to ``time.monotonic``.

    With ``webhook``, every background job's end is POSTed there; call ``close()`` when done.
    """
    return EmulatorApp(clock or time.monotonic, webhook)


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body: Any = json.loads(await request.body())
    except ValueError:
        raise BadRequest("The request body is not valid JSON.", None, "invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", None, "invalid_type")
    return cast("dict[str, Any]", body)


def _judged(check: Callable[[dict[str, Any]], None], body: dict[str, Any]) -> None:
    try:
        check(body)
    except RequestRefused as exc:
        raise BadRequest(exc.message, exc.param, exc.code) from None


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequest(f"Invalid type for '{name}': expected a boolean.", name, "invalid_type")
    return value


def _metadata(value: Any) -> dict[str, str]:
    """The API's rules: at most 16 pairs, keys up to 64 and values up to 512 characters."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("Invalid type for 'metadata': expected an object.", "metadata", "invalid_type")
    metadata: dict[str, str] = {}
    for key, item in cast("dict[str, Any]", value).items():
        if not isinstance(item, str):
            raise BadRequest(
                f"Invalid type for 'metadata.{key}': expected a string.", f"metadata.{key}", "invalid_type"
            )
        if len(key) > 64 or len(item) > 512:
            raise BadRequest(
                f"Invalid 'metadata.{key}': keys are at most 64 and values at most 512 characters.",
                f"metadata.{key}",
            )
        metadata[key] = item
    if len(metadata) > 16:
        raise BadRequest("Invalid 'metadata': at most 16 key-value pairs are allowed.", "metadata")
    return metadata


def _starting_after(request: Request) -> int:
    value = request.query_params.get("starting_after")
    if value is None:
        return -1
    if not _INTEGER.fullmatch(value) or int(value) < -1:
        raise BadRequest(
            f"Invalid 'starting_after' {value!r}: expected a sequence number >= -1.", "starting_after"
        )
    return int(value)


def _page(items: list[Json], request: Request) -> Json:
    """One cursor page of ``items`` (oldest first) for ``?limit=&order=&after=``, as the API lists."""
    query = request.query_params
    limit_text = query.get("limit", "20")
    if not _INTEGER.fullmatch(limit_text) or not 1 <= int(limit_text) <= 100:
        raise BadRequest(f"Invalid 'limit' {limit_text!r}: expected an integer from 1 to 100.", "limit")
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise BadRequest(f"Invalid 'order' {order!r}: expected 'asc' or 'desc'.", "order")
    ordered = items if order == "asc" else items[::-1]
    after = query.get("after")
    start = 0
    if after is not None:
        ids = [item["id"] for item in ordered]
        if after not in ids:
            raise BadRequest(
                f"Invalid 'after' {after!r}: no input item of this response has that id.", "after"
            )
        start = ids.index(after) + 1
    data = ordered[start : start + int(limit_text)]
    # The spec and the SDK's `ResponseItemList` require both ids as strings, an empty page's too.
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else "",
        "last_id": data[-1]["id"] if data else "",
        "has_more": start + len(data) < len(ordered),
    }


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    kind = "invalid_request_error"
    return JSONResponse(api_error(exc.detail, type=kind), status_code=exc.status_code, headers=exc.headers)


async def _bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadRequest)
    error = api_error(exc.message, type="invalid_request_error", param=exc.param, code=exc.code)
    return JSONResponse(error, status_code=400)
