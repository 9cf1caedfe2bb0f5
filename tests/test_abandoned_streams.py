"""`cancel_abandoned_streams=True`: a background stream left before its terminal event cancels its run.

Sync and async, over the scripted transport: every way of leaving a stream (`close()`, the
`with` block, the stream dropped unread, a `KeyboardInterrupt`, a cancelled task) against
every way a stream ends on its own (its terminal event, the typed error), which cancels nothing.
"""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

import openai_background_errors as obe

from .conftest import Server, make_client, resolve, stream_body

RUN_ID = "resp_bg_stream_completed_0001"
CANCEL = ("POST", f"/v1/responses/{RUN_ID}/cancel")


def _requests(server: Server) -> list[tuple[str, str]]:
    return [(request.method, request.url.path) for request in server.requests]


def _cancelled_body() -> dict[str, Any]:
    first = stream_body("completed").split(b"\n\n")[0]
    created = json.loads(first.split(b"data: ", 1)[1])
    return {**created["response"], "status": "cancelled"}


def _script(server: Server, body: bytes = b"") -> Server:
    server.sse(body or stream_body("completed"))
    server.json(_cancelled_body())  # the cancel, if one is sent
    return server


async def _open(client: Any) -> Any:
    return await resolve(
        client.responses.create(model="gpt-4.1-mini", input="hi", background=True, stream=True)
    )


async def _read(stream: Any, count: int, *, is_async: bool) -> list[Any]:
    if is_async:
        return [await stream.__anext__() for _ in range(count)]
    return [next(stream) for _ in range(count)]


async def _close(stream: Any) -> None:
    await resolve(stream.close())


async def test_close_before_the_end_cancels_the_run(server: Server, is_async: bool) -> None:
    client = make_client(_script(server), is_async=is_async, cancel_abandoned_streams=True)
    stream = await _open(client)
    await _read(stream, 2, is_async=is_async)

    await _close(stream)
    await _close(stream)  # a second close cancels nothing more

    assert _requests(server) == [("POST", "/v1/responses"), CANCEL]


async def test_leaving_the_with_block_before_the_end_cancels_the_run(server: Server, is_async: bool) -> None:
    client = make_client(_script(server), is_async=is_async, cancel_abandoned_streams=True)
    if is_async:
        async with await _open(client) as stream:
            async for _event in stream:
                break
    else:
        with await _open(client) as stream:
            for _event in stream:
                break
    assert _requests(server)[-1] == CANCEL


async def test_a_stream_dropped_unfinished_cancels_the_run(server: Server, is_async: bool) -> None:
    client = make_client(_script(server), is_async=is_async, cancel_abandoned_streams=True)
    stream = await _open(client)
    await _read(stream, 1, is_async=is_async)
    del stream
    gc.collect()
    # An async generator is closed by a task the event loop's finalizer hook schedules.
    while is_async and len(server.requests) < 2:
        await asyncio.sleep(0.001)
    assert _requests(server)[-1] == CANCEL


class _Interrupted(httpx2.SyncByteStream):
    """A body that sends its first `keep` events, then is interrupted (Ctrl-C) in the read."""

    def __init__(self, body: bytes, keep: int) -> None:
        self.chunks = [chunk + b"\n\n" for chunk in body.split(b"\n\n") if chunk][:keep]

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise KeyboardInterrupt


def test_a_keyboard_interrupt_while_reading_cancels_the_run(server: Server) -> None:
    server.then(
        httpx2.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=_Interrupted(stream_body("completed"), 2),
        )
    )
    server.json(_cancelled_body())
    client = make_client(server, is_async=False, cancel_abandoned_streams=True)

    with pytest.raises(KeyboardInterrupt):
        list(client.responses.create(model="gpt-4.1-mini", input="hi", background=True, stream=True))

    assert _requests(server) == [("POST", "/v1/responses"), CANCEL]


class _Stalling(httpx2.AsyncByteStream):
    """A body that sends its first `keep` events, then waits for more that never come."""

    def __init__(self, body: bytes, keep: int) -> None:
        self.chunks = [chunk + b"\n\n" for chunk in body.split(b"\n\n") if chunk][:keep]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        await asyncio.Event().wait()
        yield b""  # never reached


async def test_cancelling_the_task_reading_the_stream_cancels_the_run(server: Server) -> None:
    server.then(
        httpx2.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_Stalling(stream_body("completed"), 2)
        )
    )
    server.json(_cancelled_body())
    client = make_client(server, is_async=True, cancel_abandoned_streams=True)
    seen: list[Any] = []

    async def consume() -> None:
        async for event in await _open(client):
            seen.append(event)

    task = asyncio.create_task(consume())
    while len(seen) < 2:
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert _requests(server) == [("POST", "/v1/responses"), CANCEL]


async def test_a_stream_read_to_its_end_cancels_nothing(server: Server, is_async: bool) -> None:
    client = make_client(_script(server), is_async=is_async, cancel_abandoned_streams=True)
    stream = await _open(client)
    events = [event async for event in stream] if is_async else list(stream)
    await _close(stream)
    assert events[-1].type == "response.completed"
    assert _requests(server) == [("POST", "/v1/responses")]


async def test_a_stream_that_raised_the_typed_error_cancels_nothing(server: Server, is_async: bool) -> None:
    client = make_client(
        _script(server, stream_body("failed_without_error_event")),
        is_async=is_async,
        cancel_abandoned_streams=True,
    )
    stream = await _open(client)
    with pytest.raises(obe.BackgroundResponseFailedError):
        _ = [event async for event in stream] if is_async else list(stream)
    await _close(stream)
    assert _requests(server) == [("POST", "/v1/responses")]


@pytest.mark.parametrize("options", [{}, {"cancel_abandoned_streams": False}])
async def test_off_by_default(server: Server, is_async: bool, options: dict[str, Any]) -> None:
    client = make_client(_script(server), is_async=is_async, **options)
    assert client.cancel_abandoned_streams is False
    stream = await _open(client)
    await _read(stream, 2, is_async=is_async)
    await _close(stream)
    assert _requests(server) == [("POST", "/v1/responses")]


async def test_a_foreground_stream_is_never_cancelled(server: Server, is_async: bool) -> None:
    foreground = stream_body("completed").replace(b'"background":true', b'"background":false')
    client = make_client(_script(server, foreground), is_async=is_async, cancel_abandoned_streams=True)
    stream = await _open(client)
    await _read(stream, 2, is_async=is_async)
    await _close(stream)
    assert _requests(server) == [("POST", "/v1/responses")]


def test_the_setting_is_kept_by_copy_and_with_options(server: Server) -> None:
    client = make_client(server, is_async=False, cancel_abandoned_streams=True)
    assert client.copy(timeout=5).cancel_abandoned_streams is True
    assert client.with_options(cancel_abandoned_streams=False).cancel_abandoned_streams is False


async def test_a_retrieved_stream_closed_unread_cancels_its_run(server: Server, is_async: bool) -> None:
    client = make_client(_script(server), is_async=is_async, cancel_abandoned_streams=True)
    stream = await resolve(client.responses.retrieve(RUN_ID, stream=True))

    await _close(stream)

    assert _requests(server) == [("GET", f"/v1/responses/{RUN_ID}"), CANCEL]
