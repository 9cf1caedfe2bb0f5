from __future__ import annotations

import json
import inspect
from typing import Any, AsyncIterator
from unittest import mock
from collections import deque
from dataclasses import field, dataclass

import httpx2
import pytest

from openai import OpenAI, AsyncOpenAI
from openai._types import Omit, omit
from openai.types.responses import Response
from openai.resources.responses import Responses, AsyncResponses

RESPONSE_ID = "resp_synthetic"


def answer(status: str, *, poll_after_ms: int | None = None) -> httpx2.Response:
    body = {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1,
        "model": "gpt-5.5",
        "background": True,
        "status": status,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "error": {"code": "server_error", "message": "Synthetic failure"} if status == "failed" else None,
    }
    headers = {} if poll_after_ms is None else {"openai-poll-after-ms": str(poll_after_ms)}
    return httpx2.Response(200, headers=headers, json=body)


@dataclass
class Transport:
    answers: deque[httpx2.Response] = field(default_factory=deque[httpx2.Response])
    requests: list[httpx2.Request] = field(default_factory=list[httpx2.Request])

    def send(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.answers.popleft()


class Clock:
    now: float = 0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


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
    options: dict[str, Any] = {"api_key": "fake-test-key", "base_url": "https://example.test/v1", "max_retries": 0}
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
    with mock.patch.object(client.responses, "_sleep", side_effect=clock.sleep):
        result = getattr(client.responses, method)(*args, **kwargs)
        if isinstance(client, AsyncOpenAI):
            result = await result
    assert isinstance(result, Response)
    return result


async def test_poll_returns_the_failed_response_after_following_each_hint(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.extend(
        [answer("queued", poll_after_ms=250), answer("in_progress", poll_after_ms=500), answer("failed")]
    )

    response = await call(sdk_client, clock, "poll", RESPONSE_ID)

    assert response.status == "failed"
    assert response.error is not None and response.error.code == "server_error"
    assert clock.now == 0.75
    assert [(r.method, r.url.path) for r in transport.requests] == [("GET", f"/v1/responses/{RESPONSE_ID}")] * 3
    assert all(r.headers["X-Stainless-Poll-Helper"] == "true" for r in transport.requests)
    assert all("X-Stainless-Custom-Poll-Interval" not in r.headers for r in transport.requests)


async def test_poll_interval_replaces_the_hint(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.extend([answer("in_progress", poll_after_ms=5000), answer("completed")])

    response = await call(sdk_client, clock, "poll", RESPONSE_ID, poll_interval_ms=100)

    assert response.status == "completed"
    assert clock.now == 0.1
    assert all(r.headers["X-Stainless-Custom-Poll-Interval"] == "100" for r in transport.requests)


async def test_max_wait_seconds_caps_the_wait_and_names_the_response(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.append(answer("in_progress", poll_after_ms=10000))

    with pytest.raises(TimeoutError, match=RESPONSE_ID):
        await call(sdk_client, clock, "poll", RESPONSE_ID, max_wait_seconds=0.625)

    assert clock.now == 0.625
    assert len(transport.requests) == 1


@pytest.mark.parametrize("max_wait_seconds", [-1, float("inf"), float("nan")])
@pytest.mark.parametrize("method", ["poll", "create_and_poll"])
async def test_invalid_max_wait_seconds_sends_nothing(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock, method: str, max_wait_seconds: float
) -> None:
    args: tuple[str, ...] = (RESPONSE_ID,) if method == "poll" else ()
    params: dict[str, Any] = {} if method == "poll" else {"model": "gpt-5.5"}

    with pytest.raises(ValueError, match="max_wait_seconds"):
        await call(sdk_client, clock, method, *args, max_wait_seconds=max_wait_seconds, **params)

    assert transport.requests == []


async def test_zero_max_wait_seconds_polls_nothing(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    with pytest.raises(TimeoutError, match=RESPONSE_ID):
        await call(sdk_client, clock, "poll", RESPONSE_ID, max_wait_seconds=0)

    assert transport.requests == []


@pytest.mark.parametrize("interval", [omit, 200], ids=["server-hint", "explicit"])
async def test_create_and_poll_creates_a_background_response(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock, interval: int | Omit
) -> None:
    transport.answers.extend([answer("queued"), answer("in_progress", poll_after_ms=300), answer("failed")])

    response = await call(sdk_client, clock, "create_and_poll", model="gpt-5.5", input="hi", poll_interval_ms=interval)

    assert response.status == "failed"
    create, *polls = transport.requests
    assert (create.method, create.url.path) == ("POST", "/v1/responses")
    assert json.loads(create.content) == {"model": "gpt-5.5", "input": "hi", "background": True}
    assert [(r.method, r.url.path) for r in polls] == [("GET", f"/v1/responses/{RESPONSE_ID}")] * 2
    assert clock.now == (0.3 if interval is omit else 0.2)


@pytest.mark.parametrize("resource", [Responses, AsyncResponses])
def test_create_and_poll_takes_create_parameters_but_not_background_or_stream(
    resource: type[Responses | AsyncResponses],
) -> None:
    create = set(inspect.signature(resource.create).parameters)
    create_and_poll = set(inspect.signature(resource.create_and_poll).parameters)

    assert create_and_poll == create - {"background", "stream", "stream_options"} | {
        "poll_interval_ms",
        "max_wait_seconds",
    }
