from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import openai
from openai import OpenAI, AsyncOpenAI

RESPONSE_ID = "resp_synthetic"
REQUEST_ID = "req_synthetic"
NOT_COMPLETED = "Didn't receive a `response.completed` event."


def response(status: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1,
        "model": "gpt-5.5",
        "status": status,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        **fields,
    }


FAILED = [
    {"type": "response.created", "response": response("in_progress")},
    {"type": "response.in_progress", "response": response("in_progress")},
    {"type": "error", "code": "server_error", "message": "Synthetic failure", "param": None},
    {
        "type": "response.failed",
        "response": response("failed", error={"code": "server_error", "message": "Synthetic failure"}),
    },
]
INCOMPLETE = [
    {"type": "response.created", "response": response("in_progress")},
    {
        "type": "response.incomplete",
        "response": response("incomplete", incomplete_details={"reason": "max_output_tokens"}),
    },
]
CUT_SHORT = [{"type": "response.created", "response": response("in_progress")}]


def sse(events: list[dict[str, Any]]) -> httpx2.Response:
    text = "".join(
        f"event: {event['type']}\ndata: {json.dumps({**event, 'sequence_number': number})}\n\n"
        for number, event in enumerate(events)
    )
    return httpx2.Response(
        200, headers={"content-type": "text/event-stream", "x-request-id": REQUEST_ID}, content=text.encode()
    )


OPTIONS: dict[str, Any] = {"api_key": "fake-test-key", "base_url": "https://example.test/v1", "max_retries": 0}


def sync_client(events: list[dict[str, Any]]) -> OpenAI:
    transport = httpx2.MockTransport(lambda _request: sse(events))
    return OpenAI(**OPTIONS, http_client=httpx2.Client(transport=transport, trust_env=False))


def async_client(events: list[dict[str, Any]]) -> AsyncOpenAI:
    transport = httpx2.MockTransport(lambda _request: sse(events))
    return AsyncOpenAI(**OPTIONS, http_client=httpx2.AsyncClient(transport=transport, trust_env=False))


def test_failed_stream_iterates_as_before_and_get_final_response_raises_the_typed_error() -> None:
    with sync_client(FAILED) as client:
        with client.responses.stream(model="gpt-5.5", input="hi") as stream:
            assert [event.type for event in stream] == [event["type"] for event in FAILED]
            assert stream.until_done() is stream
            with pytest.raises(openai.BackgroundResponseFailedError) as exc_info:
                stream.get_final_response()

    error = exc_info.value
    assert isinstance(error, RuntimeError)
    assert str(error).startswith(NOT_COMPLETED)
    assert (error.code, error.retryable, error.request_id) == ("server_error", True, REQUEST_ID)
    assert error.response.status == "failed"


async def test_failed_stream_async() -> None:
    async with async_client(FAILED) as client:
        async with client.responses.stream(model="gpt-5.5", input="hi") as stream:
            assert [event.type async for event in stream] == [event["type"] for event in FAILED]
            assert await stream.until_done() is stream
            with pytest.raises(openai.BackgroundResponseFailedError, match="failed with server_error") as exc_info:
                await stream.get_final_response()

    assert exc_info.value.request_id == REQUEST_ID


def test_incomplete_stream_raises_the_incomplete_error() -> None:
    with sync_client(INCOMPLETE) as client:
        with client.responses.stream(response_id=RESPONSE_ID) as stream:
            with pytest.raises(openai.BackgroundResponseIncompleteError) as exc_info:
                stream.get_final_response()

    assert str(exc_info.value).startswith(NOT_COMPLETED)
    assert exc_info.value.reason == "max_output_tokens"


async def test_incomplete_stream_async() -> None:
    async with async_client(INCOMPLETE) as client:
        async with client.responses.stream(response_id=RESPONSE_ID) as stream:
            with pytest.raises(openai.BackgroundResponseIncompleteError) as exc_info:
                await stream.get_final_response()

    assert str(exc_info.value).startswith(NOT_COMPLETED)
    assert (exc_info.value.reason, exc_info.value.request_id) == ("max_output_tokens", REQUEST_ID)


async def test_stream_that_ends_early_still_raises_a_plain_runtime_error() -> None:
    async with async_client(CUT_SHORT) as client:
        async with client.responses.stream(model="gpt-5.5", input="hi") as stream:
            with pytest.raises(RuntimeError) as exc_info:
                await stream.get_final_response()

    assert type(exc_info.value) is RuntimeError
    assert str(exc_info.value) == NOT_COMPLETED
