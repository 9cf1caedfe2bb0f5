from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import openai
from openai import OpenAI, AsyncOpenAI
from openai._exceptions import BackgroundResponseFailedError, BackgroundResponseIncompleteError

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
NESTED_ERROR = [
    {"type": "response.created", "response": response("in_progress")},
    {
        "type": "error",
        "error": {
            "type": "too_many_requests",
            "code": "too_many_requests",
            "message": "Too Many Requests",
            "param": None,
        },
    },
    {
        "type": "response.failed",
        "response": response("failed", error={"code": "server_error", "message": "Synthetic failure"}),
    },
]
"""An `error` event with its fields nested under `error`, as the live API has been reported to send it."""


def sse(events: list[dict[str, Any]]) -> httpx2.Response:
    text = "".join(
        f"event: {event['type']}\ndata: {json.dumps({**event, 'sequence_number': number})}\n\n"
        for number, event in enumerate(events)
    )
    return httpx2.Response(
        200, headers={"content-type": "text/event-stream", "x-request-id": REQUEST_ID}, content=text.encode()
    )


OPTIONS: dict[str, Any] = {"api_key": "fake-test-key", "base_url": "https://example.test/v1", "max_retries": 0}


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


class Outcome:
    """What a caller of one stream saw: the event types iterated, and what `get_final_response()` did."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.until_done_returned_the_stream = False
        self.final: object = None
        self.error: BaseException | None = None


async def consume(is_async: bool, events: list[dict[str, Any]], *, iterate: bool = True, **params: Any) -> Outcome:
    """Open a stream over `events`, iterate it (when asked), call `until_done()`, then `get_final_response()`."""
    params = params or {"model": "gpt-5.5", "input": "hi"}
    outcome = Outcome()
    if is_async:
        transport = httpx2.MockTransport(lambda _request: sse(events))
        async with AsyncOpenAI(**OPTIONS, http_client=httpx2.AsyncClient(transport=transport, trust_env=False)) as a:
            async with a.responses.stream(**params) as async_stream:
                try:
                    if iterate:
                        async for event in async_stream:
                            outcome.events.append(event.type)
                    outcome.until_done_returned_the_stream = await async_stream.until_done() is async_stream
                    outcome.final = await async_stream.get_final_response()
                except Exception as exc:
                    outcome.error = exc
        return outcome
    transport = httpx2.MockTransport(lambda _request: sse(events))
    with OpenAI(**OPTIONS, http_client=httpx2.Client(transport=transport, trust_env=False)) as client:
        with client.responses.stream(**params) as stream:
            try:
                if iterate:
                    for event in stream:
                        outcome.events.append(event.type)
                outcome.until_done_returned_the_stream = stream.until_done() is stream
                outcome.final = stream.get_final_response()
            except Exception as exc:
                outcome.error = exc
    return outcome


async def test_failed_stream_iterates_as_before_and_get_final_response_raises_the_typed_error(is_async: bool) -> None:
    outcome = await consume(is_async, FAILED)

    assert outcome.events == [event["type"] for event in FAILED]
    assert outcome.until_done_returned_the_stream
    error = outcome.error
    assert isinstance(error, BackgroundResponseFailedError) and isinstance(error, RuntimeError)
    assert str(error).startswith(NOT_COMPLETED)
    assert "failed with server_error" in str(error)
    assert (error.code, error.retryable, error.request_id) == ("server_error", True, REQUEST_ID)
    assert error.response.status == "failed"


async def test_the_failed_snapshot_is_on_the_error(is_async: bool) -> None:
    outcome = await consume(is_async, FAILED, iterate=False)

    assert isinstance(outcome.error, BackgroundResponseFailedError)
    assert outcome.error.response.id == RESPONSE_ID
    assert outcome.error.response.error is not None and outcome.error.response.error.message == "Synthetic failure"


async def test_incomplete_stream_raises_the_incomplete_error(is_async: bool) -> None:
    outcome = await consume(is_async, INCOMPLETE, response_id=RESPONSE_ID)

    error = outcome.error
    assert isinstance(error, BackgroundResponseIncompleteError)
    assert str(error).startswith(NOT_COMPLETED)
    assert (error.reason, error.request_id) == ("max_output_tokens", REQUEST_ID)


async def test_stream_that_ends_early_still_raises_a_plain_runtime_error(is_async: bool) -> None:
    outcome = await consume(is_async, CUT_SHORT)

    assert type(outcome.error) is RuntimeError
    assert str(outcome.error) == NOT_COMPLETED


async def test_nested_error_event_raises_api_error_while_iterating_as_before(is_async: bool) -> None:
    outcome = await consume(is_async, NESTED_ERROR)

    assert outcome.events == ["response.created"]
    assert not outcome.until_done_returned_the_stream
    error = outcome.error
    assert type(error) is openai.APIError
    assert error.message == "Too Many Requests"
    assert (error.code, error.type) == ("too_many_requests", "too_many_requests")
