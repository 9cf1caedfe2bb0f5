"""A job's status, body and events as a pure function of elapsed time (no server)."""

from __future__ import annotations

import typing

import pydantic
import pytest
from openai.types.responses import Response, ResponseStreamEvent
from openai.types.responses.response import IncompleteDetails
from openai.types.responses.response_error import ResponseError

from openai_background_errors.emulator.job import Job
from openai_background_errors.emulator.script import parse_script
from openai_background_errors.emulator.wire import ECHOED_FIELDS

EVENTS: pydantic.TypeAdapter[ResponseStreamEvent] = pydantic.TypeAdapter(ResponseStreamEvent)
CODES: tuple[str, ...] = typing.get_args(ResponseError.model_fields["code"].annotation)
REASONS: tuple[str, ...] = typing.get_args(
    typing.get_args(IncompleteDetails.model_fields["reason"].annotation)[0]
)


def make_job(outcome: str, *, queue_ms: int = 100, run_ms: int = 600) -> Job:
    metadata = {
        "emulator.outcome": outcome,
        "emulator.queue_ms": str(queue_ms),
        "emulator.run_ms": str(run_ms),
    }
    return Job(
        response_id="resp_test",
        item_id="msg_test",
        created_at=1_700_000_000,
        started=0.0,
        script=parse_script(metadata),
        model="gpt-test",
        background=True,
        metadata=metadata,
        echo=dict(ECHOED_FIELDS),
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
        EVENTS.validate_python(event)
    assert events[-1]["type"] == f"response.{final}"


def test_event_order_for_each_outcome() -> None:
    text = [
        "response.created",
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
        "response.in_progress",
        "error",
        "response.failed",
    ]
    assert failed[2]["code"] == "rate_limit_exceeded"
    assert failed[2]["param"] is None


def test_failure_details_are_kept_verbatim_or_null() -> None:
    unknown = make_job("failed:insufficient_quota").snapshot(1.0)
    assert unknown["error"]["code"] == "insufficient_quota"
    assert make_job("failed").snapshot(1.0)["error"] is None
    assert make_job("failed").events(1.0)[2]["code"] is None
    assert make_job("incomplete:brand_new").snapshot(1.0)["incomplete_details"] == {"reason": "brand_new"}
    assert make_job("incomplete").snapshot(1.0)["incomplete_details"] == {"reason": None}


def test_events_appear_over_time_and_stop_at_cancel() -> None:
    job = make_job("completed")
    assert len(job.events(0.0)) == 1
    assert len(job.events(0.1)) == 4
    assert job.next_event_at(4) == pytest.approx(0.2)
    job.cancel(0.25)
    assert job.status(0.26) == "cancelled"
    assert job.settled(0.26)
    assert len(job.events(5.0)) == 5
    assert job.next_event_at(5) is None
    Response.model_validate(job.snapshot(0.3))


def test_a_settled_job_ignores_cancel() -> None:
    job = make_job("completed")
    job.cancel(1.0)
    assert job.status(1.0) == "completed"
