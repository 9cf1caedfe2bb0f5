"""Fixtures shared by the test suite: recorded payloads and clients over a mock transport.

HTTP is mocked at the transport: openai 3.x speaks httpx2, which respx does not
intercept, so the clients get an `httpx2.MockTransport`; on openai 2.x (httpx)
the same `Server` is routed through respx. What differs between the
compatibility lanes lives in `tests/lanes.py`. No private SDK method is patched.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from hypothesis import HealthCheck, settings
from openai._models import construct_type
from openai.types.responses import Response

import openai_background_errors as obe

from . import lanes
from .webhook_receiver import Receiver, receiving

# Hypothesis: a modest size for every run; `--hypothesis-profile=fuzz` for the long one.
# No deadline in either: a slow example on a busy machine is not a failure.
settings.register_profile("modest", max_examples=150, deadline=None)
settings.register_profile(
    "fuzz", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("modest")

PAYLOADS = Path(__file__).parent / "payloads"
BASE_URL = "http://testserver/v1"


def response_body(name: str) -> dict[str, Any]:
    """A recorded `GET /v1/responses/{id}` body from tests/payloads/responses."""
    body: dict[str, Any] = json.loads((PAYLOADS / "responses" / f"{name}.json").read_text())
    return body


def parsed_response(name: str, **changes: Any) -> Response:
    """A recorded body parsed the way the client parses one: leniently, keeping undeclared values."""
    response = construct_type(type_=Response, value={**response_body(name), **changes})
    assert isinstance(response, Response)
    return response


def response_names() -> list[str]:
    return sorted(path.stem for path in (PAYLOADS / "responses").glob("*.json"))


def stream_body(name: str) -> bytes:
    """A recorded SSE stream from tests/payloads/streams."""
    return (PAYLOADS / "streams" / f"{name}.sse").read_bytes()


def final_response(recording: str) -> dict[str, Any]:
    """The response of a recorded stream's last (terminal) event."""
    last = stream_body(recording).strip().split(b"\n\n")[-1]
    response: dict[str, Any] = json.loads(last.split(b"data: ", 1)[1])["response"]
    return response


STREAM_RESPONSE_ID = "resp_bg_stream"


def open_stream(client: Any, entry: str) -> Any:
    """Open a stream of `STREAM_RESPONSE_ID` (or a new background response) through `entry`; unawaited."""
    responses = client.responses
    if entry == "create(stream=True)":
        return responses.create(model="gpt-4.1-mini", input="hi", background=True, stream=True)
    if entry == "retrieve(stream=True)":
        return responses.retrieve(STREAM_RESPONSE_ID, stream=True)
    if entry == "stream(input=...)":
        return responses.stream(model="gpt-4.1-mini", input="hi", background=True)
    return responses.stream(response_id=STREAM_RESPONSE_ID)


async def read_stream(
    client: Any, entry: str, is_async: bool, *, catch: type[Exception] = Exception
) -> tuple[list[Any], Any, Exception | None]:
    """Open and read a stream through `entry`: the events seen, the helper's final response
    (stream helpers only, None otherwise), and the `catch` exception it raised (None if none)."""
    seen: list[Any] = []
    final: Any = None
    try:
        opened = open_stream(client, entry)  # a sync client sends the request here
        if entry.startswith("stream("):
            if is_async:
                async with opened as stream:
                    async for event in stream:
                        seen.append(event)
                    final = await stream.get_final_response()
            else:
                with opened as stream:
                    seen.extend(stream)
                    final = stream.get_final_response()
        elif is_async:
            async for event in await opened:
                seen.append(event)
        else:
            seen.extend(opened)
    except catch as error:
        return seen, final, error
    return seen, final, None


STREAM_ENTRIES = [
    "create(stream=True)",
    "retrieve(stream=True)",
    "stream(input=...)",
    "stream(response_id=...)",
]


class _Dropping(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A body that sends the first `keep` SSE events, then loses the connection."""

    def __init__(self, body: bytes, keep: int) -> None:
        self.chunks = [chunk + b"\n\n" for chunk in body.split(b"\n\n") if chunk][:keep]

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")


def stream_tail(body: bytes, after: int) -> bytes:
    """The events of a recorded stream after sequence number `after`."""
    chunks = [chunk for chunk in body.split(b"\n\n") if chunk]
    return b"".join(chunk + b"\n\n" for chunk in chunks[after + 1 :])


def dropped_stream(body: bytes, keep: int) -> httpx2.Response:
    """A streamed answer that sends the first `keep` events of `body`, then loses the connection."""
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=_Dropping(body, keep))


Answer = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


@dataclass
class Server:
    """Answers requests in order from a script and records what it was sent."""

    answers: list[Answer] = field(default_factory=lambda: [])
    requests: list[httpx2.Request] = field(default_factory=lambda: [])
    counter: int = 0

    def json(
        self, body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
    ) -> Server:
        return self.then(lambda _request: httpx2.Response(status, json=body, headers=headers or {}))

    def sse(self, body: bytes, *, headers: dict[str, str] | None = None) -> Server:
        return self.then(
            lambda _request: httpx2.Response(
                200, content=body, headers={"content-type": "text/event-stream", **(headers or {})}
            )
        )

    def then(self, answer: Answer) -> Server:
        self.answers.append(answer)
        return self

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        response = answer if isinstance(answer, httpx2.Response) else answer(request)
        self.counter += 1
        response.headers.setdefault("x-request-id", f"req_test_{self.counter}")
        return response

    @property
    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handle)


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a thread of its own, recording every delivery."""
    with receiving() as receiver:
        yield receiver


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep the client asks for (poll waits), recorded instead of slept."""
    calls: list[float] = []

    def fake_sleep(seconds: float) -> None:
        calls.append(seconds)

    async def fake_async_sleep(seconds: float) -> None:
        calls.append(seconds)

    monkeypatch.setattr(time, "sleep", fake_sleep)
    monkeypatch.setattr(anyio, "sleep", fake_async_sleep)
    return calls


@pytest.fixture(params=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param == "async")


def http_client(server: Server, *, is_async: bool = False) -> Any:
    """An HTTP client of the library the installed SDK speaks, whose requests go to `server`."""
    return lanes.mock_http_client(server.handle, is_async=is_async)


def make_client(server: Server, *, is_async: bool, **options: Any) -> Any:
    """A project client (sync or async) whose HTTP goes to `server`."""
    cls = obe.AsyncOpenAI if is_async else obe.OpenAI
    options = {"api_key": "sk-test", **options}
    return cls(base_url=BASE_URL, http_client=http_client(server, is_async=is_async), **options)


collect_ignore = list(lanes.not_collected())


def pytest_report_header() -> list[str]:
    skipped = [f"not collected in this lane: {path} ({why})" for path, why in lanes.not_collected().items()]
    return [f"lane: {lanes.LANE}", *skipped]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reason = lanes.skip_reason(item.nodeid)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


async def resolve(value: Any) -> Any:
    """Await `value` when an async client returned a coroutine."""
    if hasattr(value, "__await__"):
        return await value
    return value


def event_types(events: Sequence[Any]) -> list[str]:
    return [event.type for event in events]
