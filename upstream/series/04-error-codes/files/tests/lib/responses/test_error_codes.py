from __future__ import annotations

from typing import Any, get_args

import pytest

import openai
from openai.lib import raise_for_status
from openai._models import construct_type_unchecked
from openai.types.responses import Response
from openai.types.responses.response_error import ResponseError

DECLARED_CODES = get_args(ResponseError.__annotations__["code"])
EXPECTED = {
    "server_error": openai.BackgroundServerError,
    "rate_limit_exceeded": openai.BackgroundRateLimitError,
    "vector_store_timeout": openai.BackgroundVectorStoreTimeoutError,
    "invalid_prompt": openai.BackgroundInvalidPromptError,
    "bio_policy": openai.BackgroundPolicyViolationError,
    "misalignment_policy_violation": openai.BackgroundPolicyViolationError,
    "data_residency_mismatch": openai.BackgroundDataResidencyError,
    "image_content_policy_violation": openai.BackgroundImageContentPolicyError,
}


def raised_for(code: Any) -> openai.BackgroundResponseFailedError:
    body = {
        "id": "resp_synthetic",
        "object": "response",
        "created_at": 1,
        "model": "gpt-5.5",
        "status": "failed",
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "error": {"code": code, "message": "Synthetic failure"},
    }
    with pytest.raises(openai.BackgroundResponseFailedError) as exc_info:
        raise_for_status(construct_type_unchecked(type_=Response, value=body))
    return exc_info.value


@pytest.mark.parametrize("code", DECLARED_CODES)
def test_each_declared_code_has_its_class(code: str) -> None:
    error = raised_for(code)

    expected = EXPECTED.get(code, openai.BackgroundInvalidImageError)
    assert type(error) is expected
    assert error.code == code
    assert error.retryable is (code in {"server_error", "rate_limit_exceeded", "vector_store_timeout"})


@pytest.mark.parametrize("code", ["insufficient_quota", "image_generation_timeout", "policy_service_unavailable", None])
def test_other_codes_keep_the_base_class(code: str | None) -> None:
    error = raised_for(code)

    assert type(error) is openai.BackgroundResponseFailedError
    assert error.code == code
    assert error.retryable is False


def test_image_content_policy_is_an_image_and_a_policy_error() -> None:
    assert issubclass(openai.BackgroundImageContentPolicyError, openai.BackgroundInvalidImageError)
    assert issubclass(openai.BackgroundImageContentPolicyError, openai.BackgroundPolicyViolationError)


def test_classes_are_exported_like_the_other_errors() -> None:
    for cls in {*EXPECTED.values(), openai.BackgroundInvalidImageError}:
        assert cls.__name__ in openai.__all__
        assert cls.__module__ == "openai"
        assert issubclass(cls, openai.BackgroundResponseFailedError)
