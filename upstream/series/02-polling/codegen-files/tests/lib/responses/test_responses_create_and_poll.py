from __future__ import annotations

import json
import inspect
from typing import Optional
from unittest import mock

import pytest

from openai import OpenAI, AsyncOpenAI
from openai._types import Omit, omit
from openai.resources.responses import Responses, AsyncResponses

from .test_response_polling import (  # noqa: F401  # the fixtures are used by name
    RESPONSE_ID,
    REQUEST_OPTIONS,
    Clock,
    Transport,
    call,
    clock,
    answer,
    transport,
    sdk_client,
    query_include,
)


@pytest.mark.parametrize("max_wait_seconds", [-1, float("inf"), float("nan")])
async def test_create_and_poll_rejects_invalid_max_wait_seconds_before_creating(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock, max_wait_seconds: float
) -> None:
    with pytest.raises(ValueError, match="max_wait_seconds"):
        await call(sdk_client, clock, "create_and_poll", model="gpt-5.5", max_wait_seconds=max_wait_seconds)

    assert transport.requests == []


async def test_resource_poll_delegates_to_the_poller(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    transport.answers.extend([answer("queued", poll_after_ms=250), answer("completed")])

    with mock.patch.object(sdk_client.responses, "_sleep", side_effect=clock.sleep):
        if isinstance(sdk_client, AsyncOpenAI):
            response = await sdk_client.responses.poll(RESPONSE_ID)
        else:
            response = sdk_client.responses.poll(RESPONSE_ID)

    assert response.status == "completed"
    assert clock.sleeps == [0.25]


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
    assert clock.sleeps == ([0.3] if interval is omit else [0.2])


async def test_create_and_poll_starts_the_deadline_after_creation(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    def slow_request() -> None:
        clock.now += 10

    transport.on_request = slow_request
    transport.answers.extend([answer("queued"), answer("completed")])

    response = await call(sdk_client, clock, "create_and_poll", model="gpt-5.5", max_wait_seconds=1)

    assert response.status == "completed"
    assert [r.method for r in transport.requests] == ["POST", "GET"]


@pytest.mark.parametrize(
    ("include", "polled"),
    [(["reasoning.encrypted_content"], ["reasoning.encrypted_content"]), (None, []), (omit, [])],
    ids=["list", "none", "omitted"],
)
async def test_create_and_poll_sends_include_when_polling(
    sdk_client: OpenAI | AsyncOpenAI,
    transport: Transport,
    clock: Clock,
    include: Optional[list[str]] | Omit,
    polled: list[str],
) -> None:
    transport.answers.extend([answer("queued"), answer("in_progress"), answer("completed")])

    await call(sdk_client, clock, "create_and_poll", model="gpt-5.5", include=include)

    create, *polls = transport.requests
    assert json.loads(create.content).get("include", "omitted") == ("omitted" if include is omit else include)
    assert [query_include(r) for r in polls] == [polled] * 2


def create_parameters(resource: type[Responses | AsyncResponses]) -> set[str]:
    return set(inspect.signature(resource.create).parameters) - {"self"} - REQUEST_OPTIONS


async def test_create_and_poll_forwards_every_create_parameter(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport, clock: Clock
) -> None:
    params = {
        name: f"{name}-value" for name in create_parameters(Responses) - {"background", "stream", "stream_options"}
    }
    transport.answers.extend([answer("completed"), answer("completed")])

    await call(
        sdk_client,
        clock,
        "create_and_poll",
        **params,
        extra_headers={"X-Create-Only": "1"},
        extra_query={"create_only": "1"},
        extra_body={"extra_field": "extra-value"},
    )

    create, poll = transport.requests
    assert (create.method, poll.method) == ("POST", "GET")
    assert json.loads(create.content) == {**params, "background": True, "extra_field": "extra-value"}
    assert create.headers["X-Create-Only"] == "1" and "X-Create-Only" not in poll.headers
    assert create.url.params["create_only"] == "1" and "create_only" not in poll.url.params


@pytest.mark.parametrize("resource", [Responses, AsyncResponses])
def test_create_and_poll_takes_create_parameters_but_not_background_or_stream(
    resource: type[Responses | AsyncResponses],
) -> None:
    create_and_poll = set(inspect.signature(resource.create_and_poll).parameters) - {"self"} - REQUEST_OPTIONS

    assert create_and_poll == create_parameters(resource) - {"background", "stream", "stream_options"} | {
        "poll_interval_ms",
        "max_wait_seconds",
    }
