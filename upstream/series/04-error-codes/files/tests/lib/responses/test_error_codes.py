from __future__ import annotations

from typing import Any, get_args

import pytest

import openai
from openai.lib import raise_for_status
from openai._models import construct_type_unchecked
from openai.types.responses import Response
from openai.types.responses.response_error import ResponseError

from .test_stream_final_response import FAILED, sync_client

DECLARED_CODES = get_args(ResponseError.__annotations__["code"])
EXPECTED: dict[str, type[openai.BackgroundResponseFailedError]] = {
    "server_error": openai.BackgroundServerError,
    "rate_limit_exceeded": openai.BackgroundRateLimitError,
    "vector_store_timeout": openai.BackgroundVectorStoreTimeoutError,
    "invalid_prompt": openai.BackgroundInvalidPromptError,
    "bio_policy": openai.BackgroundPolicyViolationError,
    "misalignment_policy_violation": openai.BackgroundPolicyViolationError,
    "data_residency_mismatch": openai.BackgroundDataResidencyError,
    "image_content_policy_violation": openai.BackgroundImageContentPolicyError,
    "invalid_image": openai.BackgroundInvalidImageError,
    "invalid_image_format": openai.BackgroundInvalidImageError,
    "invalid_base64_image": openai.BackgroundInvalidImageError,
    "invalid_image_url": openai.BackgroundInvalidImageError,
    "image_too_large": openai.BackgroundInvalidImageError,
    "image_too_small": openai.BackgroundInvalidImageError,
    "image_parse_error": openai.BackgroundInvalidImageError,
    "invalid_image_mode": openai.BackgroundInvalidImageError,
    "image_file_too_large": openai.BackgroundInvalidImageError,
    "unsupported_image_media_type": openai.BackgroundInvalidImageError,
    "empty_image_file": openai.BackgroundInvalidImageError,
    "failed_to_download_image": openai.BackgroundInvalidImageError,
    "image_file_not_found": openai.BackgroundInvalidImageError,
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


def test_the_table_covers_exactly_the_declared_codes() -> None:
    assert set(DECLARED_CODES) == set(EXPECTED), "ResponseError.code changed: give each new code its class here"


@pytest.mark.parametrize("code", DECLARED_CODES)
def test_each_declared_code_has_its_class(code: str) -> None:
    error = raised_for(code)

    assert type(error) is EXPECTED[code]
    assert error.code == code
    assert error.retryable is (code in {"server_error", "rate_limit_exceeded", "vector_store_timeout"})


@pytest.mark.parametrize("code", ["insufficient_quota", "image_generation_timeout", "policy_service_unavailable", None])
def test_other_codes_keep_the_base_class(code: str | None) -> None:
    error = raised_for(code)

    assert type(error) is openai.BackgroundResponseFailedError
    assert error.code == code
    assert error.retryable is False


def test_the_stream_helper_picks_the_same_class() -> None:
    with sync_client(FAILED) as client:
        with client.responses.stream(model="gpt-5.5", input="hi") as stream:
            with pytest.raises(openai.BackgroundResponseFailedError) as exc_info:
                stream.get_final_response()

    assert type(exc_info.value) is openai.BackgroundServerError


def test_image_content_policy_is_an_image_and_a_policy_error() -> None:
    assert issubclass(openai.BackgroundImageContentPolicyError, openai.BackgroundInvalidImageError)
    assert issubclass(openai.BackgroundImageContentPolicyError, openai.BackgroundPolicyViolationError)


def test_classes_are_exported_like_the_other_errors() -> None:
    for cls in set(EXPECTED.values()):
        assert cls.__name__ in openai.__all__
        assert cls.__module__ == "openai"
        assert issubclass(cls, openai.BackgroundResponseFailedError)
