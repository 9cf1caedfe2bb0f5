"""Stream fuzzing: whatever a server streams, the project's streams finish or raise a clear error.

Event sequences built from the recorded streams are truncated, repeated, put out
of order, mixed with unknown event types, odd payloads and stray `error` events,
and cut mid-event, with the connection ending cleanly or dropping; `error` events
come in both shapes the API sends (flat, and nested under an `error` object, which
the SDK raises as its own `APIError`). A background stream that ends without a
terminal event looks the run up once: each look-up is answered with a drawn fate
(queued, running, completed, cancelled, failed, incomplete). Each one is
consumed through the project's clients, sync and async, under a timeout. The
outcome is one of: the stream finishes, it raises an error of the family, or it
raises the SDK's own clear error (an `openai.OpenAIError` such as
`APIConnectionError`, the stream helper's plain `RuntimeError`, or exactly what
the stock SDK raises on the same events, e.g. `JSONDecodeError` for data that is
not JSON, or the helper's `AttributeError` for data that is not an object). Never
a hang, never an exception the project adds (`KeyError`, `TypeError`, ...).

The stock SDK never resumes, so a stream that did is compared with one stock
connection carrying every event it read: the stream helper keeps its state across
a resume (the `response.created` of the first connection is what lets it accept
the second one's events), and only such a connection reaches the same point.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import httpx2
import openai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import BASE_URL, Server, http_client, make_client, response_body, stream_body

HANG_GUARD_S = 30.0
"""Far beyond what any stream here takes (milliseconds); reaching it means a hang."""

RECORDINGS = [
    "completed",
    "failed_with_error_event",
    "failed_without_error_event",
    "error_event_only",
    "failed_with_nested_error_event",
    "nested_error_event_only",
]
FATES = [
    "queued",
    "in_progress",
    "completed",
    "cancelled",
    "failed_server_error",
    "incomplete_max_output_tokens",
]
"""What a look-up of the run may answer (`GET /v1/responses/{id}` without `stream`)."""
ENTRIES = ["retrieve(stream=True)", "create(stream=True)", "stream(response_id=...)"]


def _chunks(name: str) -> list[bytes]:
    return [chunk + b"\n\n" for chunk in stream_body(name).split(b"\n\n") if chunk.strip()]


def _event(data: object, event: str | None = None) -> bytes:
    name: object = event if event is not None else cast(dict[str, object], data).get("type")
    head = f"event: {name}\n" if name is not None else ""
    return f"{head}data: {json.dumps(data)}\n\n".encode()


TYPE_NOT_A_STRING = _event({"type": ["response.failed"], "sequence_number": 71})
ARRAY_DATA = _event([1, 2, 3], event="response.output_text.delta")
NOT_JSON = b"event: response.output_text.delta\ndata: {not json\n\n"

STRAYS: list[bytes] = [
    _event({"type": "response.future_thing", "sequence_number": 99, "whatever": [1, 2]}),
    _event({"type": "error", "sequence_number": 50, "code": "server_error", "message": "m", "param": None}),
    _event({"type": "error", "sequence_number": 51, "code": 42, "message": None, "param": None}),
    _event({"type": "error", "sequence_number": 52}),
    _event(
        {
            "type": "error",
            "sequence_number": 53,
            "error": {
                "type": "too_many_requests",
                "code": "too_many_requests",
                "message": "m",
                "param": None,
            },
        }
    ),
    _event(
        {"type": "error", "sequence_number": 54, "error": {"type": "service_unavailable_error", "code": None}}
    ),
    _event(
        {"type": "error", "sequence_number": 55, "error": {"code": 7, "headers": {"x": "1"}, "message": [1]}}
    ),
    _event({"type": "error", "sequence_number": 56, "error": "a string"}),
    _event({"type": "response.failed", "sequence_number": 60, "response": "not an object"}),
    _event(
        {"type": "response.failed", "sequence_number": 61, "response": {"status": "failed", "error": "x"}}
    ),
    _event({"type": "response.completed", "sequence_number": 62, "response": None}),
    _event({"type": "response.created", "sequence_number": 63, "response": ["odd"]}),
    _event({"type": "response.incomplete", "sequence_number": "seven", "response": {"status": [1]}}),
    _event({"sequence_number": 70}),
    TYPE_NOT_A_STRING,
    ARRAY_DATA,
    NOT_JSON,
    b": a comment line\n\n",
    b"data: [DONE]\n\n",
]


class _Body(httpx2.SyncByteStream, httpx2.AsyncByteStream):
    """A streamed body that ends cleanly or drops the connection after its last byte."""

    def __init__(self, body: bytes, *, drop: bool) -> None:
        self.body = body
        self.drop = drop

    def _pieces(self) -> list[bytes]:
        return [self.body[i : i + 97] for i in range(0, len(self.body), 97)]

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces()
        if self.drop:
            raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces():
            yield piece
        if self.drop:
            raise httpx2.RemoteProtocolError("peer closed connection without sending complete message body")


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, bool]:
    """One connection's body (mutated recorded events) and whether the connection drops at its end."""
    chunks = _chunks(draw(st.sampled_from(RECORDINGS)))
    pool = chunks + STRAYS
    picked = draw(st.lists(st.integers(0, len(pool) - 1), max_size=24))
    body = b"".join(pool[i] for i in picked)
    if body and draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body) - 1))]  # cut mid-event
    return body, draw(st.booleans())


def _answer(body: bytes, drop: bool) -> httpx2.Response:
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=_Body(body, drop=drop))


def _sync_consume(client: Any, entry: str) -> int:
    responses = client.responses
    if entry == "stream(response_id=...)":
        with responses.stream(response_id="resp_fuzz") as stream:
            count = sum(1 for _ in stream)
            stream.get_final_response()
            return count
    if entry == "create(stream=True)":
        return sum(1 for _ in responses.create(model="m", input="hi", background=True, stream=True))
    return sum(1 for _ in responses.retrieve("resp_fuzz", stream=True))


async def _async_consume(client: Any, entry: str) -> int:
    responses = client.responses
    count = 0
    if entry == "stream(response_id=...)":
        async with responses.stream(response_id="resp_fuzz") as stream:
            async for _ in stream:
                count += 1
            await stream.get_final_response()
            return count
    if entry == "create(stream=True)":
        opened = await responses.create(model="m", input="hi", background=True, stream=True)
    else:
        opened = await responses.retrieve("resp_fuzz", stream=True)
    async for _ in opened:
        count += 1
    return count


def assert_clear(outcome: BaseException | None, read: list[tuple[bytes, bool]], entry: str) -> None:
    """Finished, an error of the family, or the SDK's own clear error; nothing unrelated.

    `read` is the connections the project's client opened, in order."""
    if outcome is None or isinstance(outcome, openai.OpenAIError):
        return
    if type(outcome) is RuntimeError:  # the stock stream helper's own "didn't receive ..." error
        return
    # Anything else must be the stock SDK's own answer to the same events.
    stock = run_stock(as_one_connection(read), entry)
    if type(stock) is not type(outcome):
        raise AssertionError(
            f"unrelated exception {type(outcome).__name__}: {outcome} (the stock SDK: {stock!r})"
        ) from outcome


def _complete_events(body: bytes) -> bytes:
    """What a dropped connection delivers: its events up to the last one complete (the SSE decoder
    loses an unfinished event with the connection). The bodies here end lines with a bare LF."""
    end = body.rfind(b"\n\n")
    return body[: end + 2] if end >= 0 else b""


def _until_done(body: bytes) -> bytes:
    """What a connection delivers before a `[DONE]` sentinel (the SDK reads no further)."""
    done = (b"\n\n" + body).find(b"\n\ndata: [DONE]")
    return body if done < 0 else body[:done]


def as_one_connection(read: list[tuple[bytes, bool]]) -> tuple[bytes, bool]:
    """The stock equivalent of a stream that read `read`: one connection with the events of each
    (all but the last dropped or ended without a terminal event, hence resumed), ending as the
    last one did."""
    *resumed, (body, drop) = read
    return b"".join(_until_done(_complete_events(earlier)) for earlier, _ in resumed) + body, drop


def run_stock(connection: tuple[bytes, bool], entry: str) -> BaseException | None:
    server = Server().then(_answer(*connection))
    stock = openai.OpenAI(api_key="sk-test", base_url=BASE_URL, http_client=http_client(server))
    try:
        _sync_consume(stock, entry)
    except Exception as error:
        return error
    return None


Run = tuple[BaseException | None, list[tuple[bytes, bool]]]
"""What consuming a stream raised (None when it finished), and the connections it opened."""


@dataclass
class _FuzzServer(Server):
    """Answers streams from the script, and each look-up of the run with the next drawn fate."""

    fates: list[str] = field(default_factory=lambda: [])
    streams: int = 0
    """How many stream connections were opened."""

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "GET" and request.url.params.get("stream") != "true":
            self.requests.append(request)
            # The hint keeps the fuzz from sleeping; a look-up past the drawn fates finds the run going.
            fate = self.fates.pop(0) if self.fates else "in_progress"
            return httpx2.Response(200, json=response_body(fate), headers={"openai-poll-after-ms": "0"})
        self.streams += 1
        return super().handle(request)


def _serve(connections: list[tuple[bytes, bool]], fates: Sequence[str]) -> _FuzzServer:
    server = _FuzzServer(fates=list(fates))
    for body, drop in connections:
        server.then(_answer(body, drop))
    return server


def run_sync(
    connections: list[tuple[bytes, bool]], entry: str, fates: Sequence[str] = ("failed_server_error",)
) -> Run:
    server = _serve(connections, fates)
    client = make_client(server, is_async=False)

    def consume() -> BaseException | None:
        try:
            _sync_consume(client, entry)
        except Exception as error:
            return error
        return None

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(consume).result(timeout=HANG_GUARD_S)
    return outcome, connections[: server.streams]


def run_async(
    connections: list[tuple[bytes, bool]], entry: str, fates: Sequence[str] = ("failed_server_error",)
) -> Run:
    server = _serve(connections, fates)

    async def consume() -> BaseException | None:
        client = make_client(server, is_async=True)
        try:
            await asyncio.wait_for(_async_consume(client, entry), timeout=HANG_GUARD_S)
        except (Exception, asyncio.TimeoutError) as error:
            if isinstance(error, asyncio.TimeoutError):
                raise AssertionError("the stream hung") from error
            return error
        finally:
            await client.close()
        return None

    return asyncio.run(consume()), connections[: server.streams]


# A dropped background stream resumes up to max_stream_resumes (3) times: four connections.
connection_lists = st.lists(bodies(), min_size=4, max_size=4)
# At most one look-up per connection.
fate_lists = st.lists(st.sampled_from(FATES), min_size=4, max_size=4)


@given(connection_lists, st.sampled_from(ENTRIES), fate_lists)
def test_sync_streams_finish_or_raise_a_clear_error(
    connections: list[tuple[bytes, bool]], entry: str, fates: list[str]
) -> None:
    assert_clear(*run_sync(connections, entry, fates), entry)


@given(connection_lists, st.sampled_from(ENTRIES), fate_lists)
def test_async_streams_finish_or_raise_a_clear_error(
    connections: list[tuple[bytes, bool]], entry: str, fates: list[str]
) -> None:
    assert_clear(*run_async(connections, entry, fates), entry)


@pytest.mark.parametrize("stray", range(len(STRAYS)))
@pytest.mark.parametrize("entry", ENTRIES)
def test_each_stray_event_in_the_middle_of_a_failed_stream(stray: int, entry: str) -> None:
    chunks = _chunks("failed_with_error_event")
    body = b"".join([*chunks[:2], STRAYS[stray], *chunks[2:]])
    connections = [(body, False)]
    for outcome, read in (run_sync(connections, entry), run_async(connections, entry)):
        assert_clear(outcome, read, entry)


_COMPLETED = _chunks("completed")
_FAILED = _chunks("failed_with_error_event")
_UNUSED = [(b"", False), (b"", False)]

FOUND: dict[str, list[tuple[bytes, bool]]] = {
    # The second connection alone makes the stock helper raise at `response.in_progress` (no
    # `response.created` yet); the resumed stream's helper has one, and meets the array.
    "array data after a resume": [(_COMPLETED[0], True), (_COMPLETED[1] + ARRAY_DATA, False), *_UNUSED],
    # The same with data that is not JSON, after an event whose type is not a string.
    "undecodable data after a resume": [
        (_COMPLETED[0], True),
        (TYPE_NOT_A_STRING + NOT_JSON, False),
        *_UNUSED,
    ],
    # The read past the `error` event met data that is not JSON, which displaced the typed error.
    "undecodable data after an error event": [(b"", True), (_FAILED[2] + NOT_JSON, False), *_UNUSED],
}


@pytest.mark.parametrize("case", FOUND)
def test_each_case_fuzzing_found(case: str) -> None:
    for outcome, read in (
        run_sync(FOUND[case], "stream(response_id=...)"),
        run_async(FOUND[case], "stream(response_id=...)"),
    ):
        assert_clear(outcome, read, "stream(response_id=...)")


def test_a_resume_past_done_is_compared_with_the_events_past_it() -> None:
    # Found by fuzzing: connections that ended cleanly (one at `[DONE]`) while the run was still
    # queued were resumed; the stock comparison must read past that sentinel, as the stream did.
    connections = [(b"", False), (b"", False), (b"data: [DONE]\n\n", False), (NOT_JSON, False)]
    for outcome, read in (
        run_sync(connections, "retrieve(stream=True)", ["queued"] * 4),
        run_async(connections, "retrieve(stream=True)", ["queued"] * 4),
    ):
        assert (len(read), type(outcome)) == (4, json.JSONDecodeError)
        assert_clear(outcome, read, "retrieve(stream=True)")


def test_a_dropped_connection_loses_its_unfinished_event() -> None:
    # What `as_one_connection` relies on: the stock SDK delivers none of an event cut by the drop.
    server = Server().then(_answer(_COMPLETED[0] + _COMPLETED[1][:60], drop=True))
    stock = openai.OpenAI(api_key="sk-test", base_url=BASE_URL, http_client=http_client(server))
    seen: list[object] = []
    # The drop as each lane's SDK reports it (openai < 3.14 lets the HTTP library's error out).
    with pytest.raises((openai.APIConnectionError, httpx.TransportError, httpx2.TransportError)):
        seen.extend(stock.responses.retrieve("resp_fuzz", stream=True))
    assert [getattr(event, "type", None) for event in seen] == ["response.created"]
    assert _complete_events(_COMPLETED[0] + _COMPLETED[1][:60]) == _COMPLETED[0]
