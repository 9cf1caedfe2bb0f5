from __future__ import annotations

from typing import Any, get_args

import httpx2
import pytest

import openai
import openai._exceptions
from openai import OpenAI, AsyncOpenAI
from openai.lib import raise_for_status
from openai._models import construct_type_unchecked
from openai._exceptions import (
    BackgroundResponseFailedError,
    BackgroundResponseCancelledError,
    BackgroundResponseIncompleteError,
)
from openai.types.responses import Response
from openai.lib._background_responses import describe, response_status_error
from openai.types.responses.response_error import ResponseError

RESPONSE_ID = "resp_synthetic"
REQUEST_ID = "req_synthetic"


def body(status: str, **fields: Any) -> dict[str, Any]:
    return {
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
        **fields,
    }


def failed(code: str, **error: Any) -> dict[str, Any]:
    return body("failed", error={"code": code, "message": "Synthetic failure", **error})


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def is_async(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


async def retrieve(is_async: bool, answer: dict[str, Any]) -> Response:
    def send(_request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"x-request-id": REQUEST_ID}, json=answer)

    options: dict[str, Any] = {"api_key": "fake-test-key", "base_url": "https://example.test/v1", "max_retries": 0}
    if is_async:
        async with AsyncOpenAI(
            **options, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(send), trust_env=False)
        ) as async_client:
            return await async_client.responses.retrieve(RESPONSE_ID)
    with OpenAI(**options, http_client=httpx2.Client(transport=httpx2.MockTransport(send), trust_env=False)) as client:
        return client.responses.retrieve(RESPONSE_ID)


async def test_failed_response_raises_with_its_code_and_request_id(is_async: bool) -> None:
    response = await retrieve(is_async, failed("invalid_prompt", param="input"))
    assert response.status == "failed"  # retrieve() itself does not raise

    with pytest.raises(BackgroundResponseFailedError) as exc_info:
        raise_for_status(response)

    error = exc_info.value
    assert str(error) == f"Response {RESPONSE_ID} failed with invalid_prompt: Synthetic failure"
    assert error.response is response
    assert (error.response_id, error.code, error.param) == (RESPONSE_ID, "invalid_prompt", "input")
    assert error.request_id == REQUEST_ID
    assert error.retryable is False
    assert not hasattr(error, "status_code")


@pytest.mark.parametrize("code", [*get_args(ResponseError.__annotations__["code"]), "insufficient_quota"])
def test_only_transient_codes_are_retryable(code: str) -> None:
    response = construct_type_unchecked(type_=Response, value=failed(code))

    with pytest.raises(BackgroundResponseFailedError) as exc_info:
        raise_for_status(response)

    assert exc_info.value.code == code  # as sent, declared or not
    assert exc_info.value.retryable is (code in {"server_error", "rate_limit_exceeded", "vector_store_timeout"})


async def test_failed_response_without_error_still_raises(is_async: bool) -> None:
    response = await retrieve(is_async, body("failed", error=None))

    with pytest.raises(BackgroundResponseFailedError, match="failed without an error") as exc_info:
        raise_for_status(response)
    assert exc_info.value.code is None


async def test_incomplete_and_cancelled_raise_only_when_asked(is_async: bool) -> None:
    incomplete = await retrieve(is_async, body("incomplete", incomplete_details={"reason": "max_output_tokens"}))
    cancelled = await retrieve(is_async, body("cancelled"))

    assert raise_for_status(incomplete) is incomplete
    assert raise_for_status(cancelled) is cancelled
    with pytest.raises(BackgroundResponseIncompleteError) as exc_info:
        raise_for_status(incomplete, incomplete=True)
    assert exc_info.value.reason == "max_output_tokens"
    with pytest.raises(BackgroundResponseCancelledError, match=f"Response {RESPONSE_ID} was cancelled"):
        raise_for_status(cancelled, cancelled=True)


@pytest.mark.parametrize("status", ["completed", "queued", "in_progress"])
async def test_other_statuses_return_the_response(is_async: bool, status: str) -> None:
    response = await retrieve(is_async, body(status))

    assert raise_for_status(response, incomplete=True, cancelled=True) is response


@pytest.mark.parametrize("status", ["completed", "queued", "in_progress"])
def test_no_error_is_made_for_a_response_that_did_not_fail(status: str) -> None:
    response = construct_type_unchecked(type_=Response, value=body(status))

    with pytest.raises(ValueError, match=f"its status is '{status}'"):
        describe(response)
    with pytest.raises(ValueError, match=f"its status is '{status}'"):
        response_status_error(response, "message")


@pytest.mark.parametrize(
    "name",
    [
        "BackgroundResponseError",
        "BackgroundResponseFailedError",
        "BackgroundResponseIncompleteError",
        "BackgroundResponseCancelledError",
    ],
)
def test_errors_are_runtime_errors_but_not_api_errors(name: str) -> None:
    cls = getattr(openai._exceptions, name)
    assert issubclass(cls, openai.OpenAIError) and issubclass(cls, RuntimeError)
    assert not issubclass(cls, openai.APIError)
