"""`responses.poll` and `responses.create_and_poll`, sync and async, with the sleep faked."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import anyio
import httpx2
import openai
import pytest

import openai_background_errors as obe

from .conftest import Server, make_client, resolve, response_body

RESPONSE_ID = "resp_bg_poll"


def _body(name: str) -> dict[str, Any]:
    return {**response_body(name), "id": RESPONSE_ID}


def _script(server: Server, *steps: tuple[str, int | None]) -> Server:
    for name, hint in steps:
        server.json(_body(name), headers={} if hint is None else {"openai-poll-after-ms": str(hint)})
    return server


async def _poll(client: Any, **options: Any) -> Any:
    return await resolve(client.responses.poll(RESPONSE_ID, **options))


@pytest.mark.parametrize(
    ("terminal", "raise_on", "expected"),
    [
        ("completed", ("failed",), None),
        ("failed_server_error", ("failed",), obe.BackgroundServerError),
        ("incomplete_content_filter", ("failed",), None),
        ("incomplete_content_filter", ("failed", "incomplete"), obe.BackgroundContentFilterError),
        ("cancelled", ("failed",), None),
        ("cancelled", ("cancelled",), obe.BackgroundResponseCancelledError),
    ],
)
async def test_waits_as_the_server_says_then_returns_or_raises(
    server: Server,
    is_async: bool,
    slept: list[float],
    terminal: str,
    raise_on: tuple[str, ...],
    expected: type[obe.BackgroundResponseError] | None,
) -> None:
    _script(server, ("queued", 250), ("in_progress", 1500), ("in_progress", None), (terminal, 10))
    client = make_client(server, is_async=is_async, raise_on=raise_on)

    if expected is None:
        response = await _poll(client)
        assert response.status == _body(terminal)["status"]
    else:
        with pytest.raises(expected) as caught:
            await _poll(client)
        assert caught.value.request_id == "req_test_4"
        assert caught.value.response_id == RESPONSE_ID

    # Each wait follows the last answer's openai-poll-after-ms, 1000 ms when it says nothing.
    assert slept == [0.25, 1.5, 1.0]
    assert len(server.requests) == 4
    for request in server.requests:
        assert request.headers["X-Stainless-Poll-Helper"] == "true"
        assert "X-Stainless-Custom-Poll-Interval" not in request.headers


async def test_explicit_interval_overrides_the_hint(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, ("queued", 5000), ("in_progress", 5000), ("completed", None))
    client = make_client(server, is_async=is_async)

    await _poll(client, poll_interval_ms=200)

    assert slept == [0.2, 0.2]
    assert {r.headers["X-Stainless-Custom-Poll-Interval"] for r in server.requests} == {"200"}


async def test_max_wait_seconds_times_out_naming_the_response(
    server: Server, is_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])

    def advance(seconds: float) -> None:
        clock[0] += seconds

    async def async_advance(seconds: float) -> None:
        clock[0] += seconds

    monkeypatch.setattr(time, "sleep", advance)
    monkeypatch.setattr(anyio, "sleep", async_advance)
    _script(server, *[("in_progress", 2000)] * 3)
    client = make_client(server, is_async=is_async)

    with pytest.raises(
        TimeoutError, match=r"'resp_bg_poll' did not finish within max_wait_seconds=5 \(waited 5\.00s\)"
    ):
        await _poll(client, max_wait_seconds=5)
    # Polled at 0 s, 2 s and 4 s; the last wait is cut to the deadline.
    assert len(server.requests) == 3


async def test_max_wait_zero_sends_nothing(server: Server, is_async: bool) -> None:
    client = make_client(server, is_async=is_async)
    with pytest.raises(TimeoutError, match="resp_bg_poll"):
        await _poll(client, max_wait_seconds=0)
    assert server.requests == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_wait_seconds": -1}, "max_wait_seconds"),
        ({"max_wait_seconds": float("inf")}, "max_wait_seconds"),
        ({"poll_interval_ms": -5}, "poll_interval_ms"),
    ],
)
async def test_bad_arguments_are_named(
    server: Server, is_async: bool, options: dict[str, Any], message: str
) -> None:
    client = make_client(server, is_async=is_async)
    with pytest.raises(ValueError, match=message):
        await _poll(client, **options)
    assert server.requests == []


async def test_http_and_connection_errors_get_the_sdks_retries_and_stay_the_sdks_own(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    def connection_reset(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection reset", request=request)

    _script(server, ("queued", 100))
    server.json({"error": {"message": "boom", "type": "server_error", "code": None}}, status=500)
    server.then(connection_reset)
    _script(server, ("completed", None))
    client = make_client(server, is_async=is_async)

    # The 500 and the reset are retried by the SDK; the poll goes on and completes.
    assert (await _poll(client)).status == "completed"
    assert len(server.requests) == 4

    server.answers.clear()
    server.requests.clear()
    for _ in range(3):
        server.then(connection_reset)
    with pytest.raises(openai.APIConnectionError) as caught:
        await _poll(client)
    assert not isinstance(caught.value, obe.BackgroundResponseError)
    assert len(server.requests) == 3  # the first try and the SDK's two retries


async def test_a_failed_response_is_never_repolled(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, ("failed_rate_limit_exceeded", 100))
    client = make_client(server, is_async=is_async)
    with pytest.raises(obe.BackgroundRateLimitError):
        await _poll(client)
    assert len(server.requests) == 1
    assert slept == []


async def test_create_and_poll_creates_in_background(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    server.json(_body("queued"), headers={"openai-poll-after-ms": "50"})
    _script(server, ("in_progress", 50), ("failed_invalid_prompt", None))
    client = make_client(server, is_async=is_async)

    with pytest.raises(obe.BackgroundInvalidPromptError):
        await resolve(client.responses.create_and_poll(model="gpt-4.1-mini", input="hi", poll_interval_ms=10))

    create = server.requests[0]
    assert (create.method, create.url.path) == ("POST", "/v1/responses")
    assert b'"background":true' in create.content
    assert [r.url.path for r in server.requests[1:]] == [f"/v1/responses/{RESPONSE_ID}"] * 2
    assert slept == [0.01]


def test_keyboard_interrupt_stops_polling_and_can_cancel(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", interrupted)
    _script(server, ("in_progress", 1000), ("in_progress", 1000))
    server.json(_body("cancelled"))
    client = make_client(server, is_async=False)

    with pytest.raises(KeyboardInterrupt):
        client.responses.poll(RESPONSE_ID)
    assert len(server.requests) == 1

    with pytest.raises(KeyboardInterrupt):
        client.responses.poll(RESPONSE_ID, cancel_on_interrupt=True)
    assert [(r.method, r.url.path) for r in server.requests[1:]] == [
        ("GET", f"/v1/responses/{RESPONSE_ID}"),
        ("POST", f"/v1/responses/{RESPONSE_ID}/cancel"),
    ]


async def test_task_cancellation_stops_polling_and_can_cancel(server: Server) -> None:
    _script(server, ("in_progress", 60_000))
    server.json(_body("cancelled"))
    client = make_client(server, is_async=True)

    task = asyncio.create_task(client.responses.poll(RESPONSE_ID, cancel_on_interrupt=True))
    while not server.requests:
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [(r.method, r.url.path) for r in server.requests] == [
        ("GET", f"/v1/responses/{RESPONSE_ID}"),
        ("POST", f"/v1/responses/{RESPONSE_ID}/cancel"),
    ]


async def test_a_task_cancelled_again_while_cancelling_still_sends_the_cancel(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """anyio (pydantic-ai's) cancels a cancelled task at every await: the cancel request is still
    awaited to its end, so it has reached the server when the task ends."""
    _script(server, ("in_progress", 60_000))
    server.json(_body("cancelled"))
    client = make_client(server, is_async=True)
    responses = client.responses
    cancel = responses.cancel

    async def slow_cancel(response_id: str) -> Any:
        await asyncio.sleep(0.05)  # still out when the task is cancelled again
        return await cancel(response_id)

    monkeypatch.setattr(responses, "cancel", slow_cancel)

    task = asyncio.create_task(client.responses.poll(RESPONSE_ID, cancel_on_interrupt=True))
    while not server.requests:
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    while not task.done():
        task.cancel()
        await asyncio.sleep(0)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [(r.method, r.url.path) for r in server.requests] == [
        ("GET", f"/v1/responses/{RESPONSE_ID}"),
        ("POST", f"/v1/responses/{RESPONSE_ID}/cancel"),
    ]


def test_a_failed_cancel_never_hides_the_interrupt(
    server: Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", interrupted)
    _script(server, ("in_progress", 1000))
    server.json(
        {"error": {"message": "cannot cancel", "type": "invalid_request_error", "code": None}}, status=400
    )
    client = make_client(server, is_async=False)

    with pytest.raises(KeyboardInterrupt):
        client.responses.poll(RESPONSE_ID, cancel_on_interrupt=True)
    assert "Could not cancel background response 'resp_bg_poll'" in caplog.text


@pytest.mark.parametrize("hint", ["9" * 400, "soon", "-5"])
async def test_odd_server_hints_never_break_the_poll(
    server: Server, is_async: bool, slept: list[float], hint: str
) -> None:
    server.json(_body("queued"), headers={"openai-poll-after-ms": hint})
    _script(server, ("completed", None))
    client = make_client(server, is_async=is_async)
    assert (await _poll(client)).status == "completed"
    assert slept == [{"soon": 1.0, "-5": 0.0}.get(hint, 86_400.0)]


async def test_a_nan_interval_is_refused_before_any_request(server: Server, is_async: bool) -> None:
    client = make_client(server, is_async=is_async)
    with pytest.raises(ValueError, match="poll_interval_ms"):
        await _poll(client, poll_interval_ms=float("nan"))
    assert server.requests == []
