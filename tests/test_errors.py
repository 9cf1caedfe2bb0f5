"""The exception family: its shape, its messages, and that it survives pickle and copy."""

from __future__ import annotations

import copy
import json
import pickle
import sys
import threading
from typing import Any

import httpx2
import pytest
from inline_snapshot import snapshot
from openai.types.responses import Response, ResponseErrorEvent

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
            # As classification builds it: the SDK's model, or the package's copy on older SDKs.
            policy_error = obe.error_for(_response("failed_misalignment_policy_violation"))
            fields["misalignment"] = getattr(policy_error, "misalignment", None)
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


def _json_round_trip(error: obe.BackgroundResponseError) -> obe.BackgroundResponseError:
    """What Celery's JSON serializer does: class by module and name, `args` as JSON, `cls(*args)`."""
    stored = json.dumps(
        {
            "exc_module": type(error).__module__,
            "exc_type": type(error).__qualname__,
            "exc_message": error.args,
        }
    )
    loaded = json.loads(stored)
    cls = getattr(sys.modules[loaded["exc_module"]], loaded["exc_type"])
    return cls(*loaded["exc_message"])  # type: ignore[no-any-return]


@pytest.mark.parametrize("error", _every_error(), ids=lambda e: type(e).__name__)
def test_json_round_trip_keeps_class_and_fields(error: obe.BackgroundResponseError) -> None:
    rebuilt = _json_round_trip(error)
    assert type(rebuilt) is type(error)
    # Everything but the response, which is left behind (re-fetchable by `response_id`).
    assert {**_state(rebuilt), "response": None} == {**_state(error), "response": None}
    assert rebuilt.response is None
    assert (rebuilt.status, rebuilt.retryable) == (error.status, error.retryable)
    assert "\n" not in str(rebuilt)
    # A second trip changes nothing, and pickle and copy of the rebuilt error keep it too.
    assert _state(_json_round_trip(rebuilt)) == _state(rebuilt)
    for clone in (pickle.loads(pickle.dumps(rebuilt)), copy.copy(rebuilt), copy.deepcopy(rebuilt)):
        assert _state(clone) == _state(rebuilt)


def test_json_round_trip_of_a_classified_failure() -> None:
    error = obe.error_for(_response("failed_invalid_prompt"))
    assert error is not None
    rebuilt = _json_round_trip(error)
    assert isinstance(rebuilt, obe.BackgroundInvalidPromptError)
    assert (rebuilt.code, rebuilt.message, rebuilt.request_id, rebuilt.response_id, rebuilt.retryable) == (
        "invalid_prompt",
        error.message,
        "req_recorded",
        "resp_bg_failed_invalid_prompt_0001",
        False,
    )
    assert str(rebuilt) == str(error)
    assert error.args == (error.message, _record_of(error))


def _record_of(error: obe.BackgroundResponseError) -> dict[str, object]:
    record: dict[str, object] = {
        "response_id": error.response_id,
        "code": error.code,
        "param": error.param,
        "request_id": error.request_id,
        "sequence_number": error.sequence_number,
        "background": error.background,
    }
    if isinstance(error, obe.BackgroundResponseFailedError):
        record.update(error_type=error.error_type, details=error.details)
    return record


def test_the_keyword_and_positional_forms_agree() -> None:
    by_keyword = obe.BackgroundResponseIncompleteError(
        "cut", reason="max_output_tokens", response_id="resp_1"
    )
    positional = obe.BackgroundResponseIncompleteError(*by_keyword.args)
    assert _state(positional) == _state(by_keyword)
    assert positional.args == (
        "cut",
        {
            "response_id": "resp_1",
            "code": None,
            "param": None,
            "request_id": None,
            "sequence_number": None,
            "background": False,
            "reason": "max_output_tokens",
        },
    )


def test_args_set_by_hand_read_back_as_set() -> None:
    # `args` is built when read; code that rewrites it (to add context) still gets what it set.
    error = obe.BackgroundServerError("boom", code="server_error")
    error.args = ("while saving job 42: boom",)
    assert error.args == ("while saving job 42: boom",)
    assert str(error) == "server_error: boom (response <unknown id> failed)"
    with pytest.raises(TypeError, match="args may not be deleted"):
        del error.args
    # Copies and pickles are rebuilt from the fields, as they always were.
    assert copy.copy(error).args == pickle.loads(pickle.dumps(error)).args == ("boom", _record_of(error))


def test_a_record_that_is_not_one_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="got str"):
        obe.BackgroundResponseFailedError("m", "not a mapping")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    with pytest.raises(TypeError, match="has no field 'reason'"):
        obe.BackgroundServerError("m", {"code": "server_error", "reason": "x"})


def test_only_a_background_run_is_called_a_background_response() -> None:
    foreground = obe.error_for(_response("failed_server_error", background=False))
    unstated = obe.error_for(_response("cancelled", background=None))
    background = obe.error_for(_response("failed_server_error"))
    assert foreground is not None and unstated is not None and background is not None
    assert str(foreground).endswith("(response resp_bg_failed_server_error_0001 failed)")
    assert str(unstated) == "cancelled: response resp_bg_cancelled_0001 was cancelled"
    assert str(background).endswith("(background response resp_bg_failed_server_error_0001 failed)")
    assert (foreground.background, unstated.background, background.background) == (False, False, True)
    # A stream's `error` event carries no response: nothing says the run was a background one.
    event = ResponseErrorEvent(
        type="error", code="server_error", message="boom", param=None, sequence_number=3
    )
    from_event = obe.BackgroundResponseFailedError.from_error_event(event, request_id="req_1")
    assert str(from_event) == "server_error: boom (response <unknown id> failed)"
    # The JSON round trip leaves the response behind but keeps what the message says.
    assert str(_json_round_trip(background)) == str(background)
    assert str(_json_round_trip(foreground)) == str(foreground)


def test_json_round_trip_keeps_an_odd_misalignment_as_sent() -> None:
    # Lenient parsing keeps values the SDK's model does not declare; turning them into JSON
    # must neither warn nor raise (pydantic's serializer would warn here).
    response = _response(
        "failed_misalignment_policy_violation",
        error={
            "code": "bio_policy",
            "message": "m",
            "misalignment": {"error_type": 5, "steer": {"message": 7}},
        },
    )
    error = obe.error_for(response)
    assert isinstance(error, obe.BackgroundPolicyViolationError)
    rebuilt = _json_round_trip(error)
    assert isinstance(rebuilt, obe.BackgroundPolicyViolationError)
    assert rebuilt.misalignment == error.misalignment
    assert rebuilt.args == error.args


def _touched_by_a_library(replacement: object) -> obe.BackgroundResponseError:
    """A classified failure whose `response` a library replaced, as langchain-openai's `invoke` does."""
    error = obe.error_for(_response("failed_server_error"), request_id="req_touched")
    assert error is not None
    error.response = replacement  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]
    return error


def _identity(error: obe.BackgroundResponseError) -> tuple[object, ...]:
    return (type(error), error.code, error.message, error.response_id, error.request_id, error.retryable)


@pytest.mark.parametrize(
    "replacement",
    [
        httpx2.Response(
            500, json={"detail": "x"}, request=httpx2.Request("POST", "http://host/v1/responses")
        ),
        threading.Lock(),  # what no pickle can carry
    ],
    ids=["http response", "unpicklable"],
)
def test_a_response_a_library_replaced_never_comes_back_as_an_empty_one(replacement: object) -> None:
    error = _touched_by_a_library(replacement)
    expected = (
        obe.BackgroundServerError,
        "server_error",
        error.message,
        error.response_id,
        "req_touched",
        True,
    )
    assert _identity(error) == expected and error.response_id is not None

    pickled = pickle.loads(pickle.dumps(error))
    assert _identity(pickled) == expected
    assert pickled.response is None
    rebuilt = _json_round_trip(error)
    assert _identity(rebuilt) == expected
    assert rebuilt.response is None
    # In-process copies keep what the library put there.
    copied = copy.copy(error)
    assert _identity(copied) == expected
    assert copied.response is replacement
