"""The code-to-class registry and the functions built on it."""

from __future__ import annotations

import typing

import pytest
from inline_snapshot import snapshot
from openai.types.responses import Response
from openai.types.responses.response_error import ResponseError

import openai_background_errors as obe

from . import lanes
from .conftest import parsed_response, response_body, response_names

DECLARED_CODES: tuple[str, ...] = typing.get_args(ResponseError.model_fields["code"].annotation)


def test_classification_table() -> None:
    table: dict[str, str] = {}
    for name in response_names():
        error = obe.error_for(parsed_response(name))
        table[name] = (
            "-" if error is None else f"{type(error).__name__} code={error.code} retryable={error.retryable}"
        )
    assert table == snapshot(
        {
            "cancelled": "BackgroundResponseCancelledError code=None retryable=False",
            "completed": "-",
            "failed_bio_policy": "BackgroundPolicyViolationError code=bio_policy retryable=False",
            "failed_data_residency_mismatch": "BackgroundDataResidencyError code=data_residency_mismatch retryable=False",
            "failed_empty_image_file": "BackgroundInvalidImageError code=empty_image_file retryable=False",
            "failed_failed_to_download_image": "BackgroundInvalidImageError code=failed_to_download_image retryable=False",
            "failed_image_content_policy_violation": "BackgroundImageContentPolicyError code=image_content_policy_violation retryable=False",
            "failed_image_file_not_found": "BackgroundInvalidImageError code=image_file_not_found retryable=False",
            "failed_image_file_too_large": "BackgroundInvalidImageError code=image_file_too_large retryable=False",
            "failed_image_parse_error": "BackgroundInvalidImageError code=image_parse_error retryable=False",
            "failed_image_too_large": "BackgroundInvalidImageError code=image_too_large retryable=False",
            "failed_image_too_small": "BackgroundInvalidImageError code=image_too_small retryable=False",
            "failed_insufficient_quota": "BackgroundQuotaExceededError code=insufficient_quota retryable=False",
            "failed_invalid_base64_image": "BackgroundInvalidImageError code=invalid_base64_image retryable=False",
            "failed_invalid_image": "BackgroundInvalidImageError code=invalid_image retryable=False",
            "failed_invalid_image_format": "BackgroundInvalidImageError code=invalid_image_format retryable=False",
            "failed_invalid_image_mode": "BackgroundInvalidImageError code=invalid_image_mode retryable=False",
            "failed_invalid_image_url": "BackgroundInvalidImageError code=invalid_image_url retryable=False",
            "failed_invalid_prompt": "BackgroundInvalidPromptError code=invalid_prompt retryable=False",
            "failed_misalignment_policy_violation": "BackgroundPolicyViolationError code=misalignment_policy_violation retryable=False",
            "failed_null_error": "BackgroundResponseFailedError code=None retryable=False",
            "failed_rate_limit_exceeded": "BackgroundRateLimitError code=rate_limit_exceeded retryable=True",
            "failed_server_error": "BackgroundServerError code=server_error retryable=True",
            "failed_unknown_future_code": "BackgroundResponseFailedError code=sandbox_session_expired retryable=False",
            "failed_unsupported_image_media_type": "BackgroundInvalidImageError code=unsupported_image_media_type retryable=False",
            "failed_vector_store_timeout": "BackgroundVectorStoreTimeoutError code=vector_store_timeout retryable=True",
            "in_progress": "-",
            "incomplete_content_filter": "BackgroundContentFilterError code=None retryable=False",
            "incomplete_max_messages": "BackgroundResponseIncompleteError code=None retryable=False",
            "incomplete_max_output_tokens": "BackgroundMaxOutputTokensError code=None retryable=False",
            "incomplete_null_reason": "BackgroundResponseIncompleteError code=None retryable=False",
            "incomplete_steered": "BackgroundResponseIncompleteError code=None retryable=False",
            "queued": "-",
            "unknown_status": "-",
        }
    )


@pytest.mark.parametrize("code", DECLARED_CODES)
def test_every_code_the_sdk_declares_has_its_own_class(code: str) -> None:
    cls = obe.default_registry.lookup("failed", code)
    assert cls is not None
    assert cls is not obe.BackgroundResponseFailedError, f"{code!r} falls back: classify it in registry.py"


def test_unknown_code_falls_back_and_keeps_the_raw_code() -> None:
    error = obe.error_for(parsed_response("failed_unknown_future_code"))
    assert type(error) is obe.BackgroundResponseFailedError
    assert error.code == "sandbox_session_expired"
    assert error.retryable is False


def test_unknown_codes_get_the_status_base_class_whatever_their_spelling() -> None:
    lookup = obe.default_registry.lookup
    assert lookup("failed", "image_generation_timeout") is obe.BackgroundResponseFailedError
    assert lookup("failed", "policy_service_unavailable") is obe.BackgroundResponseFailedError
    assert lookup("failed", "brand_new") is obe.BackgroundResponseFailedError
    assert lookup("failed", None) is obe.BackgroundResponseFailedError
    assert lookup("incomplete", "max_widgets") is obe.BackgroundResponseIncompleteError
    assert lookup("cancelled", None) is obe.BackgroundResponseCancelledError


@pytest.mark.parametrize("status", ["completed", "queued", "in_progress", "expired", ""])
def test_no_error_for_statuses_that_are_not_failures(status: str) -> None:
    assert obe.default_registry.lookup(status, "server_error") is None
    assert obe.error_for(parsed_response("completed", status=status)) is None


def test_register_directly_and_as_a_decorator() -> None:
    registry = obe.ErrorRegistry()

    class SandboxExpired(obe.BackgroundResponseFailedError):
        retryable = True

    assert registry.register("sandbox_session_expired", SandboxExpired) is SandboxExpired

    @registry.register("max_widgets", status="incomplete")
    class MaxWidgets(obe.BackgroundResponseIncompleteError):
        pass

    assert registry.lookup("failed", "sandbox_session_expired") is SandboxExpired
    assert registry.lookup("incomplete", "max_widgets") is MaxWidgets
    error = obe.error_for(parsed_response("failed_unknown_future_code"), registry=registry)
    assert isinstance(error, SandboxExpired)
    assert obe.is_retryable(error)
    # The shipped registry never sees private registrations.
    assert (
        obe.default_registry.lookup("failed", "sandbox_session_expired") is obe.BackgroundResponseFailedError
    )
    assert (
        obe.ErrorRegistry().lookup("failed", "sandbox_session_expired") is obe.BackgroundResponseFailedError
    )


def test_registering_twice_is_an_error_unless_replacing() -> None:
    registry = obe.ErrorRegistry()
    with pytest.raises(
        ValueError, match=r"'server_error' \(status 'failed'\) is already registered to BackgroundServerError"
    ):
        registry.register("server_error", obe.BackgroundRateLimitError)
    registry.register("server_error", obe.BackgroundRateLimitError, replace=True)
    assert registry.lookup("failed", "server_error") is obe.BackgroundRateLimitError


def test_register_rejects_bad_input_by_name() -> None:
    registry = obe.ErrorRegistry()
    with pytest.raises(ValueError, match="status 'done'"):
        registry.register("x", obe.BackgroundResponseFailedError, status="done")
    with pytest.raises(TypeError, match="subclass of BackgroundResponseIncompleteError"):
        registry.register("x", obe.BackgroundServerError, status="incomplete")
    with pytest.raises(ValueError, match="non-empty code"):
        registry.register("", obe.BackgroundServerError)


def test_raise_for_status_chains_and_raises() -> None:
    completed = parsed_response("completed")
    assert obe.raise_for_status(completed) is completed
    incomplete = parsed_response("incomplete_content_filter")
    assert obe.raise_for_status(incomplete) is incomplete
    with pytest.raises(obe.BackgroundContentFilterError):
        obe.raise_for_status(incomplete, incomplete=True)
    cancelled = parsed_response("cancelled")
    assert obe.raise_for_status(cancelled) is cancelled
    with pytest.raises(obe.BackgroundResponseCancelledError):
        obe.raise_for_status(cancelled, cancelled=True)
    with pytest.raises(obe.BackgroundQuotaExceededError):
        obe.raise_for_status(parsed_response("failed_insufficient_quota"))
    with pytest.raises(obe.BackgroundResponseFailedError) as caught:
        obe.raise_for_status(parsed_response("failed_null_error"))
    assert caught.value.code is None


def test_is_retryable_only_for_the_three_transient_codes() -> None:
    retryable = {
        name
        for name in response_names()
        if (error := obe.error_for(parsed_response(name))) is not None and obe.is_retryable(error)
    }
    assert retryable == {"failed_server_error", "failed_rate_limit_exceeded", "failed_vector_store_timeout"}
    assert not obe.is_retryable(RuntimeError("boom"))
    assert not obe.is_retryable(obe.OpenAIError("boom"))


def test_error_for_finds_the_recorded_request_id_wherever_the_response_keeps_it() -> None:
    response = parsed_response("failed_server_error")
    error = obe.error_for(response)
    assert error is not None
    assert error.request_id is None  # built by hand: nothing recorded
    response._request_id = "req_plain"  # pyright: ignore[reportPrivateUsage]  # as the SDK records it
    error = obe.error_for(response)
    assert error is not None
    assert error.request_id == "req_plain"

    class Declared(Response):  # a model type that provides the attribute itself
        _request_id: typing.ClassVar[str] = "req_declared"  # type: ignore[misc]  # pyright: ignore[reportIncompatibleVariableOverride]

    declared = Declared.construct(**vars(parsed_response("failed_server_error")))
    error = obe.error_for(declared)
    assert error is not None
    assert error.request_id == "req_declared"


@pytest.mark.skipif(lanes.PYDANTIC_V1, reason="pydantic 2's private attributes")
def test_error_for_finds_a_request_id_kept_as_a_pydantic_private_attribute() -> None:
    import pydantic

    class Private(Response):
        _request_id: str | None = pydantic.PrivateAttr(default="req_private")  # pyright: ignore[reportIncompatibleVariableOverride]

    response = Private.model_validate(response_body("failed_server_error"))
    assert "_request_id" not in vars(response)
    error = obe.error_for(response)
    assert error is not None
    assert error.request_id == "req_private"
