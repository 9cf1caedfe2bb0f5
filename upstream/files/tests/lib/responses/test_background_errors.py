from __future__ import annotations

import copy
import json
import pickle
from typing import Any, Union, Literal, Optional, AsyncIterator, get_args, get_origin
from collections import deque
from dataclasses import field, dataclass

import httpx2
import pytest
from inline_snapshot import snapshot

import openai
from openai import OpenAI, AsyncOpenAI
from openai.lib import ErrorRegistry, error_for, is_retryable, default_registry, raise_for_status
from openai._types import Omit, omit
from openai.types.responses import Response
from openai.types.responses.response_error import ResponseError

RESPONSE_ID = "resp_synthetic"
REQUEST_ID = "req_synthetic"


@dataclass
class Transport:
    responses: deque[httpx2.Response] = field(default_factory=deque[httpx2.Response])
    requests: list[httpx2.Request] = field(default_factory=list[httpx2.Request])

    def send(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.responses.popleft()


@pytest.fixture
def transport() -> Transport:
    return Transport()


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


def response_body(status: str, *, code: str | None = None, reason: str | None = None) -> dict[str, Any]:
    return {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1,
        "model": "gpt-synthetic",
        "background": True,
        "status": status,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "error": {"code": code, "message": f"synthetic {code}"} if status == "failed" else None,
        "incomplete_details": {"reason": reason} if status == "incomplete" else None,
    }


def json_response(body: dict[str, Any], *, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(200, json=body, headers={"x-request-id": REQUEST_ID, **(headers or {})})


def sse_response(*events: dict[str, Any]) -> httpx2.Response:
    text = "".join(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n" for event in events)
    return httpx2.Response(
        200, content=text.encode(), headers={"content-type": "text/event-stream", "x-request-id": REQUEST_ID}
    )


def lifecycle(final: str, **details: Any) -> list[dict[str, Any]]:
    return [
        {"type": "response.created", "sequence_number": 0, "response": response_body("in_progress")},
        {"type": "response.in_progress", "sequence_number": 1, "response": response_body("in_progress")},
        {"type": f"response.{final}", "sequence_number": 2, "response": response_body(final, **details)},
    ]


def declared_codes() -> list[str]:
    def literals(tp: object) -> list[str]:
        if get_origin(tp) is Literal:
            return [str(arg) for arg in get_args(tp)]
        if get_origin(tp) in (Union, Optional):
            return [code for arg in get_args(tp) for code in literals(arg)]
        return []

    return literals(ResponseError.model_fields["code"].annotation)


async def retrieve(client: OpenAI | AsyncOpenAI) -> Response:
    if isinstance(client, AsyncOpenAI):
        return await client.responses.retrieve(RESPONSE_ID)
    return client.responses.retrieve(RESPONSE_ID)


async def poll(
    client: OpenAI | AsyncOpenAI, *, poll_interval_ms: int | Omit = omit, max_wait_seconds: float | Omit = omit
) -> Response:
    if isinstance(client, AsyncOpenAI):
        return await client.responses.poll(
            RESPONSE_ID, poll_interval_ms=poll_interval_ms, max_wait_seconds=max_wait_seconds
        )
    return client.responses.poll(RESPONSE_ID, poll_interval_ms=poll_interval_ms, max_wait_seconds=max_wait_seconds)


async def stream_events(client: OpenAI | AsyncOpenAI, *, finish: str = "") -> list[str]:
    """Iterate the stream helper, then call `finish` (`until_done` or `get_final_response`) if given."""
    seen: list[str] = []
    if isinstance(client, AsyncOpenAI):
        async with client.responses.stream(response_id=RESPONSE_ID) as stream:
            async for event in stream:
                seen.append(event.type)
            if finish:
                await getattr(stream, finish)()
    else:
        with client.responses.stream(response_id=RESPONSE_ID) as stream:
            for event in stream:
                seen.append(event.type)
            if finish:
                getattr(stream, finish)()
    return seen


@pytest.mark.parametrize("code", declared_codes())
def test_every_declared_code_has_a_class_that_keeps_it(code: str) -> None:
    response = Response.construct(**response_body("failed", code=code))
    error = error_for(response)
    assert isinstance(error, openai.BackgroundResponseFailedError)
    assert error.code == code
    assert not hasattr(error, "status_code")
    assert error.retryable == (code in ("server_error", "rate_limit_exceeded", "vector_store_timeout"))


def test_unknown_and_null_codes_fall_back_without_being_guessed_transient() -> None:
    unknown = error_for(Response.construct(**response_body("failed", code="brand_new_code")))
    assert type(unknown) is openai.BackgroundResponseFailedError
    assert unknown.code == "brand_new_code"
    assert not is_retryable(unknown)
    assert type(error_for(Response.construct(**response_body("failed")))) is openai.BackgroundResponseFailedError


def test_registering_a_code_is_private_to_its_registry() -> None:
    class Custom(openai.BackgroundResponseFailedError):
        pass

    registry = ErrorRegistry()
    registry.register("brand_new_code", Custom)
    with pytest.raises(ValueError):
        registry.register("brand_new_code", Custom)
    response = Response.construct(**response_body("failed", code="brand_new_code"))
    assert type(error_for(response, registry=registry)) is Custom
    assert type(error_for(response, registry=default_registry)) is openai.BackgroundResponseFailedError


def test_errors_pickle_and_repr_without_the_response() -> None:
    response = Response.construct(**response_body("failed", code="server_error"))
    error = error_for(response, request_id=REQUEST_ID)
    assert error is not None
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(clone) is openai.BackgroundServerError
        assert (clone.code, clone.request_id, clone.response_id) == ("server_error", REQUEST_ID, RESPONSE_ID)
    assert repr(error) == snapshot(
        "BackgroundServerError(code='server_error', message='synthetic server_error', response_id='resp_synthetic', request_id='req_synthetic')"
    )
    assert isinstance(error, RuntimeError)


async def test_retrieve_is_unchanged_and_raise_for_status_opts_in(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport
) -> None:
    transport.responses.append(json_response(response_body("failed", code="rate_limit_exceeded")))
    response = await retrieve(sdk_client)
    assert response.status == "failed"

    with pytest.raises(openai.BackgroundRateLimitError) as exc_info:
        raise_for_status(response)
    assert exc_info.value.code == "rate_limit_exceeded"
    assert exc_info.value.request_id == REQUEST_ID
    assert exc_info.value.response is response
    assert is_retryable(exc_info.value)


async def test_raise_for_status_passes_completed_and_opt_in_statuses(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport
) -> None:
    transport.responses.append(json_response(response_body("completed")))
    completed = await retrieve(sdk_client)
    assert raise_for_status(completed) is completed

    incomplete = Response.construct(**response_body("incomplete", reason="max_output_tokens"))
    assert raise_for_status(incomplete) is incomplete
    with pytest.raises(openai.BackgroundMaxOutputTokensError):
        raise_for_status(incomplete, incomplete=True)
    with pytest.raises(openai.BackgroundResponseIncompleteError) as exc_info:
        raise_for_status(incomplete, raise_on_incomplete=True)
    assert exc_info.value.reason == "max_output_tokens"

    cancelled = Response.construct(**response_body("cancelled"))
    assert raise_for_status(cancelled) is cancelled
    with pytest.raises(openai.BackgroundResponseCancelledError):
        raise_for_status(cancelled, cancelled=True)


async def test_poll_waits_and_raises_the_typed_error(sdk_client: OpenAI | AsyncOpenAI, transport: Transport) -> None:
    transport.responses.extend(
        [
            json_response(response_body("queued"), headers={"openai-poll-after-ms": "0"}),
            json_response(response_body("in_progress"), headers={"openai-poll-after-ms": "0"}),
            json_response(response_body("failed", code="server_error")),
        ]
    )
    with pytest.raises(openai.BackgroundServerError) as exc_info:
        await poll(sdk_client)
    assert exc_info.value.code == "server_error"
    assert exc_info.value.request_id == REQUEST_ID
    assert len(transport.requests) == 3
    for request in transport.requests:
        assert request.method == "GET"
        assert request.url.path == f"/v1/responses/{RESPONSE_ID}"
        assert request.headers["X-Stainless-Poll-Helper"] == "true"
        assert "X-Stainless-Custom-Poll-Interval" not in request.headers


async def test_poll_returns_completed_incomplete_and_cancelled(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport
) -> None:
    for status in ("completed", "incomplete", "cancelled"):
        transport.responses.append(json_response(response_body(status, reason="content_filter")))
        response = await poll(sdk_client, poll_interval_ms=0)
        assert response.status == status
        assert transport.requests[-1].headers["X-Stainless-Custom-Poll-Interval"] == "0"


async def test_poll_max_wait_seconds(sdk_client: OpenAI | AsyncOpenAI, transport: Transport) -> None:
    with pytest.raises(TimeoutError, match=RESPONSE_ID):
        await poll(sdk_client, max_wait_seconds=0)
    assert transport.requests == []
    with pytest.raises(ValueError):
        await poll(sdk_client, max_wait_seconds=float("inf"))


async def test_create_and_poll_creates_in_the_background(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport
) -> None:
    transport.responses.extend(
        [json_response(response_body("queued")), json_response(response_body("failed", code="invalid_prompt"))]
    )
    with pytest.raises(openai.BackgroundInvalidPromptError):
        if isinstance(sdk_client, AsyncOpenAI):
            await sdk_client.responses.create_and_poll(model="gpt-synthetic", input="hi", poll_interval_ms=0)
        else:
            sdk_client.responses.create_and_poll(model="gpt-synthetic", input="hi", poll_interval_ms=0)
    create, retrieve_request = transport.requests
    assert create.method == "POST"
    assert json.loads(create.content) == {"model": "gpt-synthetic", "input": "hi", "background": True}
    assert retrieve_request.headers["X-Stainless-Custom-Poll-Interval"] == "0"


async def test_stream_helper_raises_after_response_failed(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport
) -> None:
    error_event = {"type": "error", "sequence_number": 2, "code": "server_error", "message": "boom", "param": None}
    events = lifecycle("failed", code="server_error")
    events[2]["sequence_number"] = 3
    for finish in ("until_done", "get_final_response"):
        transport.responses.append(sse_response(*events[:2], error_event, events[2]))
        with pytest.raises(RuntimeError, match="Didn't receive a `response.completed` event") as exc_info:
            await stream_events(sdk_client, finish=finish)
        error = exc_info.value
        assert isinstance(error, openai.BackgroundServerError)
        assert (error.code, error.sequence_number, error.request_id) == ("server_error", 3, REQUEST_ID)
        assert error.response is not None and error.response.status == "failed"


async def test_stream_helper_iteration_is_unchanged(sdk_client: OpenAI | AsyncOpenAI, transport: Transport) -> None:
    transport.responses.append(sse_response(*lifecycle("failed", code="server_error")))
    assert await stream_events(sdk_client) == ["response.created", "response.in_progress", "response.failed"]


async def test_stream_helper_raises_for_an_error_event_alone(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport
) -> None:
    error_event = {"type": "error", "sequence_number": 2, "code": "brand_new_code", "message": "boom", "param": None}
    transport.responses.append(sse_response(*lifecycle("failed")[:2], error_event))
    with pytest.raises(openai.BackgroundResponseFailedError) as exc_info:
        await stream_events(sdk_client, finish="until_done")
    assert exc_info.value.code == "brand_new_code"
    assert exc_info.value.sequence_number == 2
    assert exc_info.value.response is None


async def test_stream_helper_incomplete_raises_only_from_get_final_response(
    sdk_client: OpenAI | AsyncOpenAI, transport: Transport
) -> None:
    transport.responses.append(sse_response(*lifecycle("incomplete", reason="max_output_tokens")))
    assert await stream_events(sdk_client, finish="until_done") == [
        "response.created",
        "response.in_progress",
        "response.incomplete",
    ]

    transport.responses.append(sse_response(*lifecycle("incomplete", reason="max_output_tokens")))
    with pytest.raises(RuntimeError) as exc_info:
        await stream_events(sdk_client, finish="get_final_response")
    assert isinstance(exc_info.value, openai.BackgroundMaxOutputTokensError)
    assert exc_info.value.reason == "max_output_tokens"


async def test_stream_helper_completed_is_untouched(sdk_client: OpenAI | AsyncOpenAI, transport: Transport) -> None:
    transport.responses.append(sse_response(*lifecycle("completed")))
    assert await stream_events(sdk_client, finish="until_done") == [
        "response.created",
        "response.in_progress",
        "response.completed",
    ]
