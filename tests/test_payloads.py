"""Checks the recorded wire payloads under ``tests/payloads`` against the installed SDK.

The payloads are hand-built from the SDK's model field lists (see ``tests/payloads/README.md``).
These tests keep them honest: every declared ``ResponseError.code`` has a body, strict bodies
validate, lenient bodies are rejected by strict validation yet survive lenient construction with
their raw values, and every SSE recording parses into valid ``ResponseStreamEvent`` objects.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pydantic
import pytest
from openai._models import construct_type
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseInProgressEvent,
    ResponseQueuedEvent,
    ResponseStreamEvent,
)
from openai.types.responses.response_error import ResponseError
from openai.types.responses.response_status import ResponseStatus

PAYLOADS = Path(__file__).parent / "payloads"
RESPONSES = PAYLOADS / "responses"
STREAMS = PAYLOADS / "streams"

DECLARED_CODES: tuple[str, ...] = typing.get_args(ResponseError.model_fields["code"].annotation)
DECLARED_STATUSES: tuple[str, ...] = typing.get_args(ResponseStatus)

NON_FAILURE_FILES: tuple[str, ...] = ("completed", "queued", "in_progress", "cancelled")
INCOMPLETE_FILES: dict[str, str | None] = {
    "incomplete_max_output_tokens": "max_output_tokens",
    "incomplete_content_filter": "content_filter",
    "incomplete_max_messages": "max_messages",
    "incomplete_steered": "steered",
    "incomplete_null_reason": None,
}
STRICT_FILES: tuple[str, ...] = (
    *NON_FAILURE_FILES,
    *(f"failed_{code}" for code in DECLARED_CODES),
    "failed_null_error",
    *INCOMPLETE_FILES,
)
# name -> (status, error code or None) that lenient construction must keep verbatim
LENIENT_FILES: dict[str, tuple[str, str | None]] = {
    "failed_insufficient_quota": ("failed", "insufficient_quota"),
    "failed_unknown_future_code": ("failed", "sandbox_session_expired"),
    "unknown_status": ("expired", None),
}
STREAM_FILES: dict[str, tuple[str, ...]] = {
    "completed": (
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ),
    "failed_with_error_event": ("response.created", "response.in_progress", "error", "response.failed"),
    "failed_without_error_event": ("response.created", "response.in_progress", "response.failed"),
    "error_event_only": ("response.created", "response.in_progress", "error"),
    "incomplete": (
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.incomplete",
    ),
}
TAIL_AFTER = 3
RESPONSE_CARRYING_EVENTS = (
    ResponseCreatedEvent,
    ResponseInProgressEvent,
    ResponseQueuedEvent,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
)

STREAM_EVENT: pydantic.TypeAdapter[ResponseStreamEvent] = pydantic.TypeAdapter(ResponseStreamEvent)


def load_body(name: str) -> dict[str, Any]:
    body = json.loads((RESPONSES / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(body, dict)
    return typing.cast("dict[str, Any]", body)


def sse_blocks(name: str) -> list[str]:
    """Split a recording into its raw ``event:``/``data:`` blocks (without the blank line)."""
    text = (STREAMS / f"{name}.sse").read_text(encoding="utf-8")
    assert text.endswith("\n\n"), "every SSE event ends with a blank line"
    blocks = text[: -len("\n\n")].split("\n\n")
    assert all(blocks), "no empty events"
    return blocks


def parse_block(block: str) -> tuple[str, dict[str, Any]]:
    lines = block.split("\n")
    assert len(lines) == 2, block
    event_line, data_line = lines
    assert event_line.startswith("event: ")
    assert data_line.startswith("data: ")
    data = json.loads(data_line[len("data: ") :])
    assert isinstance(data, dict)
    return event_line[len("event: ") :], typing.cast("dict[str, Any]", data)


def parse_stream(name: str) -> list[ResponseStreamEvent]:
    events: list[ResponseStreamEvent] = []
    for block in sse_blocks(name):
        event_name, data = parse_block(block)
        assert data["type"] == event_name, "the SSE event name repeats the payload's type"
        events.append(STREAM_EVENT.validate_python(data))
    return events


def embedded_responses(events: list[ResponseStreamEvent]) -> list[Response]:
    return [event.response for event in events if isinstance(event, RESPONSE_CARRYING_EVENTS)]


# --- response bodies -------------------------------------------------------


def test_sdk_declares_the_codes_read_at_runtime() -> None:
    assert len(DECLARED_CODES) >= 21
    assert "server_error" in DECLARED_CODES
    assert "misalignment_policy_violation" in DECLARED_CODES


@pytest.mark.parametrize("code", DECLARED_CODES)
def test_every_declared_code_has_a_failed_body(code: str) -> None:
    body = load_body(f"failed_{code}")
    assert body["status"] == "failed"
    assert body["error"]["code"] == code
    assert body["background"] is True


def test_no_unaccounted_response_files() -> None:
    on_disk = {path.stem for path in RESPONSES.glob("*.json")}
    assert on_disk == set(STRICT_FILES) | set(LENIENT_FILES)


@pytest.mark.parametrize("name", STRICT_FILES)
def test_strict_body_validates(name: str) -> None:
    body = load_body(name)
    response = Response.model_validate(body)
    assert response.object == "response"
    assert response.id == body["id"]
    assert response.id.startswith("resp_bg_")
    assert response.background is True
    assert response.status in DECLARED_STATUSES
    if response.status == "failed":
        if name == "failed_null_error":
            assert response.error is None
        else:
            assert response.error is not None
            assert response.error.code == name.removeprefix("failed_")
    else:
        assert response.error is None


@pytest.mark.parametrize(("name", "reason"), INCOMPLETE_FILES.items())
def test_incomplete_reason(name: str, reason: str | None) -> None:
    response = Response.model_validate(load_body(name))
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == reason


def test_completed_body_has_text_and_usage() -> None:
    response = Response.model_validate(load_body("completed"))
    assert response.status == "completed"
    assert response.output_text == "Hello from the background."
    assert response.usage is not None
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens


def test_misalignment_body_carries_misalignment() -> None:
    response = Response.model_validate(load_body("failed_misalignment_policy_violation"))
    assert response.error is not None
    misalignment = response.error.misalignment
    assert misalignment is not None
    assert misalignment.error_type == "potentially_unintended_data_transfer"
    assert misalignment.detailed_explanation
    assert misalignment.review_target
    assert misalignment.steer is not None
    assert misalignment.steer.message


def test_error_type_and_param() -> None:
    server = Response.model_validate(load_body("failed_server_error"))
    assert server.error is not None
    assert server.error.type == "server_error"
    assert server.error.param is None
    image = Response.model_validate(load_body("failed_invalid_image_url"))
    assert image.error is not None
    assert image.error.type == "invalid_request_error"
    assert image.error.param == "input[0].content[1].image_url"


@pytest.mark.parametrize("name", LENIENT_FILES)
def test_lenient_body_fails_strict_validation(name: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        Response.model_validate(load_body(name))


@pytest.mark.parametrize(("name", "expected"), LENIENT_FILES.items())
def test_lenient_body_constructs_with_raw_values(name: str, expected: tuple[str, str | None]) -> None:
    status, code = expected
    body = load_body(name)
    response = construct_type(type_=Response, value=body)
    assert isinstance(response, Response)
    assert response.id == body["id"]
    assert response.status == status
    if code is None:
        assert response.error is None
    else:
        assert response.error is not None
        assert response.error.code == code
        assert code not in DECLARED_CODES


# --- SSE recordings --------------------------------------------------------


# name -> the nested `error` object of its one `error` event, in the live API's shape (lenient by design:
# the SDK's `ResponseErrorEvent` declares `code`/`message`/`param` at the top and requires `message`).
NESTED_ERROR_STREAM_FILES: dict[str, tuple[str, ...]] = {
    "failed_with_nested_error_event": (
        "response.created",
        "response.in_progress",
        "error",
        "response.failed",
    ),
    "nested_error_event_only": ("response.created", "response.in_progress", "error"),
}


def test_no_unaccounted_stream_files() -> None:
    on_disk = {path.stem for path in STREAMS.glob("*.sse")}
    assert on_disk == {*STREAM_FILES, *NESTED_ERROR_STREAM_FILES, f"completed_after_{TAIL_AFTER}"}


@pytest.mark.parametrize(("name", "types"), NESTED_ERROR_STREAM_FILES.items())
def test_nested_error_streams_fail_strict_validation_only_at_the_error_event(
    name: str, types: tuple[str, ...]
) -> None:
    blocks = [parse_block(block) for block in sse_blocks(name)]
    assert tuple(event_name for event_name, _ in blocks) == types
    assert [data["sequence_number"] for _, data in blocks] == list(range(len(blocks)))
    for event_name, data in blocks:
        assert data["type"] == event_name
        if event_name != "error":
            STREAM_EVENT.validate_python(data)
            continue
        assert set(data) == {"type", "sequence_number", "error"}
        assert {"type", "code", "message", "param"} <= set(data["error"])
        with pytest.raises(pydantic.ValidationError):
            STREAM_EVENT.validate_python(data)


@pytest.mark.parametrize(("name", "types"), STREAM_FILES.items())
def test_stream_validates_in_order(name: str, types: tuple[str, ...]) -> None:
    events = parse_stream(name)
    assert tuple(event.type for event in events) == types
    assert [event.sequence_number for event in events] == list(range(len(events)))
    responses = embedded_responses(events)
    assert responses
    assert {response.id for response in responses} == {responses[0].id}
    assert all(response.background is True for response in responses)


def test_completed_stream_text_and_final_response() -> None:
    events = parse_stream("completed")
    deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
    assert "".join(deltas) == "Hello from the background."
    final = events[-1]
    assert final.type == "response.completed"
    assert final.response.status == "completed"
    assert final.response.output_text == "Hello from the background."
    assert final.response.usage is not None


def test_failed_streams_carry_their_codes() -> None:
    with_error = parse_stream("failed_with_error_event")
    error_event = with_error[2]
    assert error_event.type == "error"
    assert error_event.code == "server_error"
    assert error_event.param is None
    failed = with_error[3]
    assert failed.type == "response.failed"
    assert failed.response.error is not None
    assert failed.response.error.code == "server_error"

    without_error = parse_stream("failed_without_error_event")
    last = without_error[-1]
    assert last.type == "response.failed"
    assert last.response.error is not None
    assert last.response.error.code == "rate_limit_exceeded"

    only_error = parse_stream("error_event_only")[-1]
    assert only_error.type == "error"
    assert only_error.code == "invalid_prompt"


def test_incomplete_stream_reason() -> None:
    last = parse_stream("incomplete")[-1]
    assert last.type == "response.incomplete"
    assert last.response.incomplete_details is not None
    assert last.response.incomplete_details.reason == "max_output_tokens"


def test_resumed_stream_is_the_tail_of_completed() -> None:
    name = f"completed_after_{TAIL_AFTER}"
    full_blocks = sse_blocks("completed")
    tail_blocks = sse_blocks(name)
    assert tail_blocks == full_blocks[TAIL_AFTER + 1 :]
    full = parse_stream("completed")
    tail = parse_stream(name)
    assert tail == [event for event in full if event.sequence_number > TAIL_AFTER]
    assert [event.sequence_number for event in tail] == list(
        range(TAIL_AFTER + 1, TAIL_AFTER + 1 + len(tail))
    )
