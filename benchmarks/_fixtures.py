"""What the benchmarks share: recorded payloads, clients over a mock transport, byte counting.

The recorded payloads are the test suite's (`tests/payloads`). A and B clients
get the same transport, so the only difference between them is the client class.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import openai

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ROOT / "tests" / "payloads"
BASE_URL = "http://bench.invalid/v1"
STREAM_EVENTS = 20_000

__all__ = [
    "BASE_URL",
    "ROOT",
    "STREAM_EVENTS",
    "ByteCounter",
    "Exchange",
    "json_handler",
    "long_stream",
    "mock_client",
    "response_bytes",
    "response_payload",
]

_ClientT = TypeVar("_ClientT", bound=openai.OpenAI)

Handler = Callable[[httpx2.Request], httpx2.Response]


def response_bytes(name: str) -> bytes:
    """A recorded `GET /v1/responses/{id}` body from tests/payloads/responses."""
    return (PAYLOADS / "responses" / f"{name}.json").read_bytes()


def response_payload(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(response_bytes(name))
    return payload


def json_handler(body: bytes) -> Handler:
    """Answer every request with `body`, as the API answers a retrieve."""
    headers = {"content-type": "application/json", "x-request-id": "req_bench"}

    def handle(_request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=body, headers=headers)

    return handle


def mock_client(cls: type[_ClientT], handler: Handler) -> _ClientT:
    """A client of `cls` whose every request `handler` answers in-process."""
    return cls(
        api_key="bench",
        base_url=BASE_URL,
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )


def _sse_blocks(name: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event name, data) pairs of a recorded stream in tests/payloads/streams."""
    blocks: list[tuple[str, dict[str, Any]]] = []
    for block in (PAYLOADS / "streams" / f"{name}.sse").read_text().split("\n\n"):
        if not block.strip():
            continue
        event = ""
        data: dict[str, Any] = {}
        for line in block.splitlines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
        blocks.append((event, data))
    return blocks


@functools.cache
def long_stream(total: int = STREAM_EVENTS) -> tuple[bytes, ...]:
    """The recorded successful stream stretched to `total` events, one chunk per event.

    Its four opening events (created, in_progress, item and part added) and four
    closing ones (text, part and item done, completed) are kept; in between, the
    recorded `response.output_text.delta` events repeat in turn. Sequence numbers
    run from 0 to `total - 1`.
    """
    blocks = _sse_blocks("completed")
    deltas = [block for block in blocks if block[0] == "response.output_text.delta"]
    first_delta = blocks.index(deltas[0])
    head, tail = blocks[:first_delta], blocks[first_delta + len(deltas) :]
    middle = total - len(head) - len(tail)
    if middle < 1:
        raise ValueError(f"a stream needs more than {len(head) + len(tail)} events")
    events = [*head, *(deltas[index % len(deltas)] for index in range(middle)), *tail]
    chunks: list[bytes] = []
    for number, (name, recorded) in enumerate(events):
        data = json.dumps({**recorded, "sequence_number": number}, separators=(",", ":"))
        chunks.append(f"event: {name}\ndata: {data}\n\n".encode())
    return tuple(chunks)


def sse_handler(chunks: tuple[bytes, ...]) -> Handler:
    """Answer every request with the stream `chunks`, one chunk per event as a server flushes them."""
    headers = {"content-type": "text/event-stream", "x-request-id": "req_bench_stream"}

    def handle(_request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=iter(chunks), headers=headers)

    return handle


@dataclass(frozen=True)
class Exchange:
    """One request the client sent and what it received for it."""

    method: str
    url: str
    sent: float
    answered: float
    status: int
    header_bytes: int
    body_bytes: int


class _CountingStream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, on_bytes: Callable[[int], None]) -> None:
        self._inner = inner
        self._on_bytes = on_bytes

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._on_bytes(len(chunk))
            yield chunk

    def close(self) -> None:
        self._inner.close()


@dataclass
class ByteCounter(httpx2.BaseTransport):
    """A transport that forwards to `inner` and records every exchange and the bytes it received.

    Body bytes are counted as the network stream yields them, before any decoding;
    header bytes are the raw header lines plus the status line.
    """

    inner: httpx2.BaseTransport = field(default_factory=httpx2.HTTPTransport)
    exchanges: list[Exchange] = field(default_factory=lambda: [])
    on_answer: Callable[[Exchange], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        sent = time.monotonic()
        response = self.inner.handle_request(request)
        answered = time.monotonic()
        header_bytes = len("HTTP/1.1 200 OK\r\n\r\n") + sum(
            len(name) + len(value) + 4 for name, value in response.headers.raw
        )
        index = self._record(
            Exchange(request.method, str(request.url), sent, answered, response.status_code, header_bytes, 0)
        )
        stream = response.stream
        assert isinstance(stream, httpx2.SyncByteStream)
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CountingStream(stream, functools.partial(self._add_body_bytes, index)),
            extensions=response.extensions,
            request=request,
        )

    def _record(self, exchange: Exchange) -> int:
        with self._lock:
            self.exchanges.append(exchange)
            index = len(self.exchanges) - 1
        if self.on_answer is not None:
            self.on_answer(exchange)
        return index

    def _add_body_bytes(self, index: int, count: int) -> None:
        with self._lock:
            exchange = self.exchanges[index]
            self.exchanges[index] = Exchange(
                exchange.method,
                exchange.url,
                exchange.sent,
                exchange.answered,
                exchange.status,
                exchange.header_bytes,
                exchange.body_bytes + count,
            )

    def close(self) -> None:
        self.inner.close()

    @property
    def body_bytes(self) -> int:
        return sum(exchange.body_bytes for exchange in self.exchanges)

    @property
    def header_bytes(self) -> int:
        return sum(exchange.header_bytes for exchange in self.exchanges)
