from __future__ import annotations

from typing import Any, Callable, Optional, AsyncIterator
from unittest import mock
from collections import deque
from dataclasses import field, dataclass

import httpx2
import pytest

from openai import OpenAI, AsyncOpenAI
from openai.types.responses import Response
from openai.lib._response_polling import poll_response, async_poll_response

RESPONSE_ID = "resp_synthetic"
CLIENT_TIMEOUT = 11.0
REQUEST_OPTIONS = {"extra_headers", "extra_query", "extra_body", "timeout"}


def answer(status: Optional[str], *, poll_after_ms: int | None = None) -> httpx2.Response:
    body: dict[str, Any] = {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1,
        "model": "gpt-5.5",
        "background": True,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "error": {"code": "server_error", "message": "Synthetic failure"} if status == "failed" else None,
    }
    if status is not None:
        body["status"] = status
    headers = {} if poll_after_ms is None else {"openai-poll-after-ms": str(poll_after_ms)}
    return httpx2.Response(200, headers=headers, json=body)


class Clock:
    def __init__(self) -> None:
        self.now: float = 0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Transport:
    answers: deque[httpx2.Response] = field(default_factory=deque[httpx2.Response])
    requests: list[httpx2.Request] = field(default_factory=list[httpx2.Request])
    on_request: Callable[[], None] = lambda: None

    def send(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        self.on_request()
        return self.answers.popleft()


@pytest.fixture
def transport() -> Transport:
    return Transport()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("openai.lib._response_polling.time", clock)
    return clock


@pytest.fixture(params=[False, True], ids=["sync", "async"])
async def sdk_client(request: pytest.FixtureRequest, transport: Transport) -> AsyncIterator[OpenAI | AsyncOpenAI]:
    options: dict[str, Any] = {
        "api_key": "fake-test-key",
        "base_url": "https://example.test/v1",
        "max_retries": 0,
        "timeout": CLIENT_TIMEOUT,
    }
    if request.param:
        async with AsyncOpenAI(
            **options, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(transport.send), trust_env=False)
        ) as client:
            yield client
    else:
        with OpenAI(
            **options, http_client=httpx2.Client(transport=httpx2.MockTransport(transport.send), trust_env=False)
        ) as client:
            yield client


async def call(client: OpenAI | AsyncOpenAI, clock: Clock, method: str, *args: Any, **kwargs: Any) -> Response:
    """`poll` through the hand-written helpers, or any other method of `client.responses`."""
    with mock.patch.object(client.responses, "_sleep", side_effect=clock.sleep):
        if method == "poll" and isinstance(client, AsyncOpenAI):
            result = await async_poll_response(client.responses, *args, **kwargs)
        elif method == "poll" and isinstance(client, OpenAI):
            result = poll_response(client.responses, *args, **kwargs)
        else:
            result = getattr(client.responses, method)(*args, **kwargs)
            if isinstance(client, AsyncOpenAI):
                result = await result
    assert isinstance(result, Response)
    return result


def query_include(request: httpx2.Request) -> list[str]:
    return [value for key, value in request.url.params.multi_items() if key in ("include", "include[]")]


async def test_poll_keeps_the_first_hint_and_returns_the_failed_response(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.extend(
        [answer("queued", poll_after_ms=250), answer("in_progress", poll_after_ms=500), answer("failed")]
    )

    response = await call(sdk_client, clock, "poll", RESPONSE_ID)

    assert response.status == "failed"
    assert response.error is not None and response.error.code == "server_error"
    assert clock.sleeps == [0.25, 0.25]
    assert [(r.method, r.url.path) for r in transport.requests] == [("GET", f"/v1/responses/{RESPONSE_ID}")] * 3
    assert all(r.headers["X-Stainless-Poll-Helper"] == "true" for r in transport.requests)
    assert all("X-Stainless-Custom-Poll-Interval" not in r.headers for r in transport.requests)


async def test_poll_waits_one_second_without_a_hint(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.extend([answer("in_progress"), answer("in_progress", poll_after_ms=100), answer("completed")])

    await call(sdk_client, clock, "poll", RESPONSE_ID)

    assert clock.sleeps == [1.0, 1.0]


async def test_poll_interval_replaces_the_hint(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.extend([answer("in_progress", poll_after_ms=5000), answer("completed")])

    response = await call(sdk_client, clock, "poll", RESPONSE_ID, poll_interval_ms=100)

    assert response.status == "completed"
    assert clock.sleeps == [0.1]
    assert all(r.headers["X-Stainless-Custom-Poll-Interval"] == "100" for r in transport.requests)


@pytest.mark.parametrize("status", ["completed", "failed", "incomplete", "cancelled", "paused", None])
async def test_poll_returns_any_status_but_queued_or_in_progress_at_once(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock, status: Optional[str]
) -> None:
    transport.answers.append(answer(status, poll_after_ms=100))

    response = await call(sdk_client, clock, "poll", RESPONSE_ID)

    assert response.status == status
    assert len(transport.requests) == 1
    assert clock.sleeps == []


async def test_poll_sends_include_on_every_request(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.extend([answer("in_progress"), answer("completed")])

    await call(sdk_client, clock, "poll", RESPONSE_ID, include=["reasoning.encrypted_content"])

    assert [query_include(r) for r in transport.requests] == [["reasoning.encrypted_content"]] * 2


async def test_max_wait_seconds_caps_the_wait_and_names_the_response(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.append(answer("in_progress", poll_after_ms=10000))

    with pytest.raises(TimeoutError, match=RESPONSE_ID):
        await call(sdk_client, clock, "poll", RESPONSE_ID, max_wait_seconds=0.625)

    assert clock.sleeps == [0.625]
    assert len(transport.requests) == 1


@pytest.mark.parametrize("request_seconds", [0.5, 3.0])
async def test_request_time_counts_toward_deadline(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock, request_seconds: float
) -> None:
    def slow_request() -> None:
        clock.now += request_seconds

    transport.on_request = slow_request
    transport.answers.extend([answer("in_progress"), answer("in_progress")])

    with pytest.raises(TimeoutError, match=RESPONSE_ID):
        await call(sdk_client, clock, "poll", RESPONSE_ID, max_wait_seconds=2.5)

    assert len(transport.requests) == (2 if request_seconds == 0.5 else 1)
    assert clock.sleeps == ([1.0, 0.5] if request_seconds == 0.5 else [])
    # Each request keeps the client's own timeout; the deadline only bounds the waits between them.
    assert all(r.extensions["timeout"]["read"] == CLIENT_TIMEOUT for r in transport.requests)


@pytest.mark.parametrize("status", ["completed", "failed", "incomplete", "cancelled"])
async def test_terminal_result_is_preserved(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock, status: str
) -> None:
    def slow_request() -> None:
        clock.now += 2

    transport.on_request = slow_request
    transport.answers.append(answer(status))

    response = await call(sdk_client, clock, "poll", RESPONSE_ID, max_wait_seconds=1)

    assert response.status == status
    assert clock.sleeps == []


@pytest.mark.parametrize("max_wait_seconds", [-1, float("inf"), float("nan")])
async def test_invalid_max_wait_seconds_sends_nothing(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock, max_wait_seconds: float
) -> None:
    with pytest.raises(ValueError, match="max_wait_seconds"):
        await call(sdk_client, clock, "poll", RESPONSE_ID, max_wait_seconds=max_wait_seconds)

    assert transport.requests == []


async def test_zero_max_wait_seconds_polls_nothing(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    with pytest.raises(TimeoutError, match=RESPONSE_ID):
        await call(sdk_client, clock, "poll", RESPONSE_ID, max_wait_seconds=0)

    assert transport.requests == []
