"""A job's status, body and events as a pure function of elapsed time (no server)."""

from __future__ import annotations

import typing
from typing import Any, cast

import pydantic
import pytest
from openai.types import ErrorObject
from openai.types.responses import Response, ResponseErrorEvent, ResponseStreamEvent
from openai.types.responses.response import IncompleteDetails
from openai.types.responses.response_error import ResponseError

from openai_background_errors.emulator.error_events import RATE_LIMIT_HEADERS
from openai_background_errors.emulator.job import Job
from openai_background_errors.emulator.script import parse_script
from openai_background_errors.emulator.wire import echoed_fields, error_message

EVENTS: pydantic.TypeAdapter[ResponseStreamEvent] = pydantic.TypeAdapter(ResponseStreamEvent)
CODES: tuple[str, ...] = typing.get_args(ResponseError.model_fields["code"].annotation)
REASONS: tuple[str, ...] = typing.get_args(
    typing.get_args(IncompleteDetails.model_fields["reason"].annotation)[0]
)


def validate_event(event: dict[str, Any]) -> None:
    """Strictly, by the SDK's types: the live nested `error` event has none, so its error object is
    validated as the API's `ErrorObject`."""
    if event["type"] == "error" and "error" in event:
        assert set(event) == {"type", "sequence_number", "error"}
        assert isinstance(event["sequence_number"], int)
        ErrorObject.model_validate(event["error"], strict=True)
    else:
        EVENTS.validate_python(event, strict=True)


def error_fields(event: dict[str, Any]) -> dict[str, Any]:
    """`code`, `message` and `param` of an `error` event, nested (the default) or flat."""
    return cast(dict[str, Any], event["error"]) if "error" in event else event


def make_job(
    outcome: str, *, queue_ms: int = 100, run_ms: int = 600, background: bool = True, **keys: str
) -> Job:
    """A job created at 0.0 with this script; ``keys`` are further ``emulator.<key>`` entries."""
    metadata = {
        "emulator.outcome": outcome,
        "emulator.queue_ms": str(queue_ms),
        "emulator.run_ms": str(run_ms),
        **{f"emulator.{key}": value for key, value in keys.items()},
    }
    return Job(
        response_id="resp_test",
        item_id="msg_test",
        created_at=1_700_000_000,
        started=0.0,
        script=parse_script(metadata),
        model="gpt-test",
        background=background,
        metadata=metadata,
        echo=echoed_fields({}),
    )


def test_declared_vocabulary_is_read_from_the_sdk() -> None:
    assert "server_error" in CODES
    assert "max_output_tokens" in REASONS


@pytest.mark.parametrize(
    "outcome",
    [
        "completed",
        "failed",
        *(f"failed:{code}" for code in CODES),
        "incomplete",
        *(f"incomplete:{r}" for r in REASONS),
    ],
)
def test_every_declared_fate_validates(outcome: str) -> None:
    job = make_job(outcome)
    statuses = [job.status(t) for t in (0.0, 0.099, 0.1, 0.699, 0.7, 5.0)]
    final = outcome.partition(":")[0]
    assert statuses == ["queued", "queued", "in_progress", "in_progress", final, final]
    for elapsed in (0.0, 0.3, 0.7):
        Response.model_validate(job.snapshot(elapsed))
    events = job.events(10.0)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    for event in events:
        validate_event(event)
    assert events[-1]["type"] == f"response.{final}"


def test_event_order_for_each_outcome() -> None:
    text = [
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 5,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
    ]
    assert [e["type"] for e in make_job("completed").events(1)] == [*text, "response.completed"]
    assert [e["type"] for e in make_job("incomplete").events(1)] == [*text, "response.incomplete"]
    failed = make_job("failed:rate_limit_exceeded").events(1)
    assert [e["type"] for e in failed] == [
        "response.created",
        "response.queued",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    assert error_fields(failed[3])["code"] == "rate_limit_exceeded"
    assert error_fields(failed[3])["param"] is None


def test_failure_details_are_kept_verbatim_or_null() -> None:
    unknown = make_job("failed:insufficient_quota").snapshot(1.0)
    assert unknown["error"]["code"] == "insufficient_quota"
    assert make_job("failed").snapshot(1.0)["error"] is None
    assert error_fields(make_job("failed").events(1.0)[3])["code"] is None
    assert make_job("incomplete:brand_new").snapshot(1.0)["incomplete_details"] == {"reason": "brand_new"}
    assert make_job("incomplete").snapshot(1.0)["incomplete_details"] == {"reason": None}


def test_events_appear_over_time_and_stop_at_cancel() -> None:
    job = make_job("completed")
    assert [e["type"] for e in job.events(0.0)] == ["response.created", "response.queued"]
    assert len(job.events(0.1)) == 5
    assert job.next_event_at(5) == pytest.approx(0.2)
    job.cancel(0.25)
    assert job.status(0.26) == "cancelled"
    assert job.settled(0.26)
    assert len(job.events(5.0)) == 6
    assert job.next_event_at(6) is None
    Response.model_validate(job.snapshot(0.3))


def test_a_settled_job_ignores_cancel() -> None:
    job = make_job("completed")
    job.cancel(1.0)
    assert job.status(1.0) == "completed"


def test_a_foreground_job_is_in_progress_from_its_first_event() -> None:
    job = make_job("completed", background=False)
    assert [job.status(t) for t in (0.0, 0.099, 0.1, 0.7)] == [
        "in_progress",
        "in_progress",
        "in_progress",
        "completed",
    ]
    created, in_progress = job.events(0.1)[:2]
    assert (created["type"], created["response"]["status"]) == ("response.created", "in_progress")
    assert in_progress["type"] == "response.in_progress"
    assert "response.queued" not in [event["type"] for event in job.events(1.0)]


def test_a_background_job_streams_queued_while_it_waits() -> None:
    created, queued, in_progress = make_job("completed").events(0.1)[:3]
    assert (created["response"]["status"], queued["response"]["status"]) == ("queued", "queued")
    assert (queued["type"], queued["sequence_number"]) == ("response.queued", 1)
    assert (in_progress["type"], in_progress["response"]["status"]) == ("response.in_progress", "in_progress")
    without_queue = make_job("completed", queue_ms=0).events(0.0)
    assert [event["type"] for event in without_queue[:2]] == ["response.created", "response.in_progress"]
    assert without_queue[0]["response"]["status"] == "in_progress"


def error_event_of(job: Job) -> dict[str, object]:
    (event,) = [event for event in job.events(1.0) if event["type"] == "error"]
    return event


def test_the_error_event_is_nested_by_default_as_the_live_api_sends_it() -> None:
    assert error_event_of(make_job("failed:server_error")) == error_event_of(
        make_job("failed:server_error", error_event="nested")
    )


def test_the_flat_error_event_is_the_sdks_documented_one() -> None:
    event = error_event_of(make_job("failed:server_error", error_event="flat"))
    parsed = EVENTS.validate_python(event, strict=True)
    assert isinstance(parsed, ResponseErrorEvent)
    assert (parsed.code, parsed.param, parsed.sequence_number) == ("server_error", None, 3)
    assert "error" not in event


@pytest.mark.parametrize(
    ("code", "nested_type"),
    [
        ("too_many_requests", "too_many_requests"),  # openai-dotnet #881
        ("server_error", "server_error"),  # Soju06/codex-lb #429
        ("rate_limit_exceeded", "tokens"),  # zendev-sh/goai #88
        ("context_length_exceeded", "invalid_request_error"),  # openai-dotnet #849
        (None, "service_unavailable_error"),  # vercel/ai #20022
        ("brand_new_code", "brand_new_code"),
    ],
)
def test_the_nested_error_event_carries_the_apis_error_object(code: str | None, nested_type: str) -> None:
    outcome = "failed" if code is None else f"failed:{code}"
    event = error_event_of(make_job(outcome, error_event="nested"))
    assert set(event) == {"type", "sequence_number", "error"}
    assert (event["type"], event["sequence_number"]) == ("error", 3)
    error = ErrorObject.model_validate(event["error"], strict=True)
    assert (error.type, error.code, error.param) == (nested_type, code, None)
    assert error.message == error_message(code)
    headers = getattr(error, "headers", None)
    assert headers == (RATE_LIMIT_HEADERS if code == "rate_limit_exceeded" else None)


def test_a_cancelled_job_keeps_the_output_it_had_streamed() -> None:
    job = make_job("completed", queue_ms=100, run_ms=600)  # five deltas, one every 0.1 s from 0.2 s
    job.cancel(0.35)
    body = job.snapshot(0.4)
    Response.model_validate(body, strict=True)
    assert body["status"] == "cancelled"
    (message,) = body["output"]
    assert (message["id"], message["status"]) == ("msg_test", "incomplete")
    streamed = [event["delta"] for event in job.events(5.0) if event["type"] == "response.output_text.delta"]
    assert streamed == ["Hello", " from"]
    assert [part["text"] for part in message["content"]] == ["Hello from"]


def test_a_job_cancelled_before_its_output_began_has_none() -> None:
    queued = make_job("completed")
    queued.cancel(0.05)
    assert queued.snapshot(1.0)["output"] == []
    failing = make_job("failed:server_error")
    failing.cancel(0.5)
    assert failing.snapshot(1.0)["output"] == []
