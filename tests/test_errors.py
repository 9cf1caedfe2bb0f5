"""The exception family: its shape, its messages, and that it survives pickle and copy."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from inline_snapshot import snapshot
from openai.types.responses import Response

import openai_background_errors as obe
from openai_background_errors import errors

from .conftest import parsed_response

FAMILY = [getattr(errors, name) for name in errors.__all__]


def _response(name: str, **changes: Any) -> Response:
    response = parsed_response(name, **changes)
    response._request_id = "req_recorded"  # pyright: ignore[reportPrivateUsage]
    return response


def _tree(cls: type[BaseException], depth: int = 0) -> list[str]:
    lines = [f"{'  ' * depth}{cls.__name__}"]
    for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
        if sub.__module__ == errors.__name__:
            lines += _tree(sub, depth + 1)
    return lines


def test_hierarchy_matches_the_contract() -> None:
    assert _tree(obe.BackgroundResponseError) == snapshot(
        [
            "BackgroundResponseError",
            "  BackgroundResponseCancelledError",
            "  BackgroundResponseFailedError",
            "    BackgroundDataResidencyError",
            "    BackgroundInvalidImageError",
            "      BackgroundImageContentPolicyError",
            "    BackgroundInvalidPromptError",
            "    BackgroundPolicyViolationError",
            "      BackgroundImageContentPolicyError",
            "    BackgroundQuotaExceededError",
            "    BackgroundRateLimitError",
            "    BackgroundServerError",
            "    BackgroundVectorStoreTimeoutError",
            "  BackgroundResponseIncompleteError",
            "    BackgroundContentFilterError",
            "    BackgroundMaxOutputTokensError",
        ]
    )
    assert issubclass(obe.BackgroundResponseError, obe.OpenAIError)
    # The stream helpers used to end a failed stream with a bare RuntimeError.
    assert issubclass(obe.BackgroundResponseError, RuntimeError)


@pytest.mark.parametrize("cls", FAMILY)
def test_no_error_advertises_an_http_status(cls: type[obe.BackgroundResponseError]) -> None:
    assert not hasattr(cls, "status_code")
    assert not hasattr(cls(), "status_code")


def test_fields_of_a_failed_response() -> None:
    error = obe.error_for(_response("failed_server_error"))
    assert isinstance(error, obe.BackgroundServerError)
    assert error.response is not None
    assert error.response.status == "failed"
    assert (error.response_id, error.status, error.code, error.param, error.request_id) == (
        error.response.id,
        "failed",
        "server_error",
        None,
        "req_recorded",
    )
    assert error.message == error.response.error.message if error.response.error else False
    assert error.retryable is True
    assert error.sequence_number is None


def test_misalignment_is_the_sdks_model() -> None:
    error = obe.error_for(_response("failed_misalignment_policy_violation"))
    assert isinstance(error, obe.BackgroundPolicyViolationError)
    response = error.response
    assert response is not None and response.error is not None
    assert error.misalignment == response.error.misalignment
    assert error.misalignment is not None
    assert error.misalignment.error_type == "potentially_unintended_data_transfer"


def test_incomplete_errors_carry_the_reason() -> None:
    error = obe.error_for(_response("incomplete_max_output_tokens"))
    assert isinstance(error, obe.BackgroundMaxOutputTokensError)
    assert (error.status, error.reason, error.code, error.retryable) == (
        "incomplete",
        "max_output_tokens",
        None,
        False,
    )


def test_str_and_repr_are_curated() -> None:
    rendered = {
        name: (str(error), repr(error))
        for name in (
            "failed_server_error",
            "failed_unknown_future_code",
            "failed_null_error",
            "incomplete_null_reason",
            "cancelled",
        )
        if (error := obe.error_for(_response(name))) is not None
    }
    assert rendered == snapshot(
        {
            "failed_server_error": (
                "server_error: The server had an error while processing your request. Submit the request again. (background response resp_bg_failed_server_error_0001 failed)",
                "BackgroundServerError(code='server_error', message='The server had an error while processing your request. Submit the request again.', response_id='resp_bg_failed_server_error_0001', request_id='req_recorded')",
            ),
            "failed_unknown_future_code": (
                "sandbox_session_expired: The sandbox session used by this run expired before it finished. (background response resp_bg_failed_unknown_future_code_0001 failed)",
                "BackgroundResponseFailedError(code='sandbox_session_expired', message='The sandbox session used by this run expired before it finished.', response_id='resp_bg_failed_unknown_future_code_0001', request_id='req_recorded')",
            ),
            "failed_null_error": (
                "no error code: no error message (background response resp_bg_failed_null_error_0001 failed)",
                "BackgroundResponseFailedError(code=None, message=None, response_id='resp_bg_failed_null_error_0001', request_id='req_recorded')",
            ),
            "incomplete_null_reason": (
                "incomplete: no reason given (background response resp_bg_incomplete_null_reason_0001)",
                "BackgroundResponseIncompleteError(reason=None, code=None, message=None, response_id='resp_bg_incomplete_null_reason_0001', request_id='req_recorded')",
            ),
            "cancelled": (
                "cancelled: background response resp_bg_cancelled_0001 was cancelled",
                "BackgroundResponseCancelledError(code=None, message=None, response_id='resp_bg_cancelled_0001', request_id='req_recorded')",
            ),
        }
    )


def test_str_is_one_line_and_repr_never_dumps_the_response() -> None:
    response = _response(
        "completed", status="failed", error={"code": "server_error", "message": "line one\nline two"}
    )
    error = obe.error_for(response)
    assert error is not None
    assert "\n" not in str(error)
    assert "line one line two" in str(error)
    assert "Hello from the background" not in repr(error)
    assert "Hello from the background" not in str(error)


def _every_error() -> list[obe.BackgroundResponseError]:
    built: list[obe.BackgroundResponseError] = []
    for cls in FAMILY:
        fields: dict[str, Any] = {
            "response": _response("failed_server_error"),
            "code": "some_code",
            "param": "input[0]",
            "request_id": "req_1",
            "sequence_number": 7,
        }
        if issubclass(cls, obe.BackgroundResponseIncompleteError):
            fields["reason"] = "max_output_tokens"
        if issubclass(cls, obe.BackgroundPolicyViolationError):
            fields["misalignment"] = _response("failed_misalignment_policy_violation").error.misalignment  # type: ignore[union-attr]  # pyright: ignore[reportOptionalMemberAccess]
        built.append(cls("the message", **fields))
    return built


def _state(error: obe.BackgroundResponseError) -> dict[str, Any]:
    return {**vars(error), "str": str(error), "repr": repr(error), "args": error.args}


@pytest.mark.parametrize("error", _every_error(), ids=lambda e: type(e).__name__)
def test_pickle_and_copy_keep_class_and_fields(error: obe.BackgroundResponseError) -> None:
    for clone in (copy.copy(error), copy.deepcopy(error)):
        assert type(clone) is type(error)
        assert _state(clone) == _state(error)
    # A pickle keeps every field, the response without its content (tests/test_secrets.py).
    pickled = pickle.loads(pickle.dumps(error))
    assert type(pickled) is type(error)
    assert {**_state(pickled), "response": None} == {**_state(error), "response": None}
    assert pickled.response == errors._without_content(error.response)  # type: ignore[arg-type]  # pyright: ignore[reportPrivateUsage, reportArgumentType]


def test_notes_and_added_attributes_survive_pickle_and_copy() -> None:
    error = obe.BackgroundServerError("boom", code="server_error", request_id="req_1")
    # What `add_note` (Python 3.11+) stores, and an attribute a caller adds.
    setattr(error, "__notes__", ["job 42, attempt 3"])  # noqa: B010
    setattr(error, "attempt", 3)  # noqa: B010
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert getattr(clone, "__notes__", None) == ["job 42, attempt 3"]
        assert getattr(clone, "attempt", None) == 3
        assert (clone.code, clone.request_id) == ("server_error", "req_1")
