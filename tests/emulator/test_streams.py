"""Server-sent events: live streams, ``starting_after`` replay and scripted drops."""

from __future__ import annotations

import json
import time

import httpx2
import openai
import pytest
from openai.types.responses import ResponseStreamEvent

from .conftest import EVENTS, job_ids, job_stats, script

IN_PROGRESS_TYPES = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    *["response.output_text.delta"] * 5,
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]
"""A completed job that never waits in a queue: every foreground one, and a background one without a queue."""
COMPLETED_TYPES = ["response.created", "response.queued", *IN_PROGRESS_TYPES[1:]]
"""A completed background job that is queued first."""


def checked(event: ResponseStreamEvent) -> ResponseStreamEvent:
    """Validate what the SDK parsed (leniently) against the strict event union."""
    return EVENTS.validate_python(event.to_dict())


def test_background_create_stream_then_replay(client: openai.OpenAI) -> None:
    with client.responses.create(
        model="gpt-test", input="hi", background=True, stream=True, metadata=script()
    ) as stream:
        assert stream.response.headers["x-request-id"].startswith("req_emu_")
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        live = [checked(event) for event in stream]
    assert [e.type for e in live] == COMPLETED_TYPES
    assert [e.sequence_number for e in live] == list(range(len(COMPLETED_TYPES)))
    response_id = live[0].response.id  # type: ignore[union-attr]
    assert isinstance(response_id, str)

    for after in (-1, 0, 5, len(live) - 2, len(live) - 1, 99):
        with client.responses.retrieve(response_id, stream=True, starting_after=after) as replay:
            numbers = [checked(event).sequence_number for event in replay]
        assert numbers == list(range(after + 1, len(live)))
    with client.responses.retrieve(response_id, stream=True) as replay:
        assert [event.sequence_number for event in replay] == list(range(len(live)))


def test_replay_joins_a_running_job_and_continues_live(client: openai.OpenAI) -> None:
    created = client.responses.create(
        model="gpt-test", input="hi", background=True, metadata=script(queue_ms="0", run_ms="300")
    )
    time.sleep(0.1)
    with client.responses.retrieve(created.id, stream=True, starting_after=1) as stream:
        events = [checked(event) for event in stream]
    assert [e.sequence_number for e in events] == list(range(2, len(IN_PROGRESS_TYPES)))
    assert events[-1].type == "response.completed"


def test_failed_and_incomplete_streams(client: openai.OpenAI) -> None:
    with client.responses.create(
        model="gpt-test",
        input="hi",
        background=True,
        stream=True,
        # The documented flat event, which the stock SDK delivers (it raises at the nested one).
        metadata=script(outcome="failed:server_error", error_event="flat"),
    ) as stream:
        failed = [checked(event) for event in stream]
    assert [e.type for e in failed] == [
        "response.created",
        "response.queued",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    error = failed[3]
    assert error.type == "error"
    assert (error.code, error.param) == ("server_error", None)

    with client.responses.create(
        model="gpt-test",
        input="hi",
        background=True,
        stream=True,
        metadata=script(outcome="incomplete:max_output_tokens"),
    ) as stream:
        incomplete = [checked(event) for event in stream]
    assert incomplete[-1].type == "response.incomplete"
    assert [e.sequence_number for e in incomplete] == list(range(len(incomplete)))


def test_the_stock_sdk_raises_a_plain_api_error_for_the_nested_error_event(client: openai.OpenAI) -> None:
    metadata = script(outcome="failed:rate_limit_exceeded", error_event="nested")
    seen: list[str] = []
    with (
        pytest.raises(openai.APIError) as caught,
        client.responses.create(
            model="gpt-test", input="hi", background=True, stream=True, metadata=metadata
        ) as stream,
    ):
        seen.extend(event.type for event in stream)
    assert type(caught.value) is openai.APIError
    assert (caught.value.code, caught.value.type) == ("rate_limit_exceeded", "tokens")
    assert seen == ["response.created", "response.queued", "response.in_progress"]


def test_the_stock_sdk_reads_past_the_flat_error_event(client: openai.OpenAI) -> None:
    metadata = script(outcome="failed:rate_limit_exceeded", error_event="flat")
    with client.responses.create(
        model="gpt-test", input="hi", background=True, stream=True, metadata=metadata
    ) as stream:
        events = [checked(event) for event in stream]
    assert [event.type for event in events][-2:] == ["error", "response.failed"]


def test_foreground_stream_is_live_and_cannot_be_streamed_again(client: openai.OpenAI) -> None:
    with client.responses.create(model="gpt-test", input="hi", stream=True, metadata=script()) as stream:
        events = [checked(event) for event in stream]
    assert [e.type for e in events] == IN_PROGRESS_TYPES
    assert events[0].response.status == "in_progress"  # type: ignore[union-attr]
    response_id = events[0].response.id  # type: ignore[union-attr]
    assert isinstance(response_id, str)
    assert client.responses.retrieve(response_id).status == "completed"
    with pytest.raises(openai.BadRequestError, match="background=true"):
        client.responses.retrieve(response_id, stream=True)


def test_cancel_ends_a_following_stream_without_a_terminal_event(client: openai.OpenAI) -> None:
    created = client.responses.create(
        model="gpt-test", input="hi", background=True, metadata=script(queue_ms="0", run_ms="5000")
    )
    started = time.monotonic()
    with client.responses.retrieve(created.id, stream=True) as stream:
        first = next(iter(stream))
        assert first.type == "response.created"
        client.responses.cancel(created.id)
        rest = [checked(event) for event in stream]
    assert time.monotonic() - started < 2
    assert all(not e.type.startswith("response.completed") for e in rest)
    assert client.responses.retrieve(created.id).status == "cancelled"


@pytest.mark.parametrize("drop_after", [0, 1, 4, 6])
def test_drop_stream_after_breaks_the_stream_then_resumes(
    client: openai.OpenAI, background_api: str, drop_after: int
) -> None:
    metadata = script(drop_stream_after=f"{drop_after}x2")
    seen: list[int] = []
    with (
        pytest.raises(openai.APIConnectionError) as caught,
        client.responses.create(
            model="gpt-test", input="hi", background=True, stream=True, metadata=metadata
        ) as stream,
    ):
        seen.extend(event.sequence_number for event in stream)
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    assert seen == list(range(drop_after))

    jobs = job_ids(background_api)
    assert len(jobs) == 1
    with (
        pytest.raises(openai.APIConnectionError),
        client.responses.retrieve(jobs[0], stream=True, starting_after=len(seen) - 1) as stream,
    ):
        seen.extend(event.sequence_number for event in stream)
    with client.responses.retrieve(jobs[0], stream=True, starting_after=len(seen) - 1) as stream:
        seen.extend(event.sequence_number for event in stream)
    assert seen == list(range(len(COMPLETED_TYPES)))
    stats = job_stats(background_api, jobs[0])
    assert (stats["streams"], stats["drops"]) == (3, 2)


def test_a_drop_after_the_terminal_event_still_breaks_the_stream(
    client: openai.OpenAI, background_api: str
) -> None:
    seen: list[str] = []
    with (
        pytest.raises(openai.APIConnectionError),
        client.responses.create(
            model="gpt-test",
            input="hi",
            background=True,
            stream=True,
            metadata=script(drop_stream_after=str(len(COMPLETED_TYPES))),
        ) as stream,
    ):
        seen.extend(event.type for event in stream)
    assert seen == COMPLETED_TYPES
    (response_id,) = job_ids(background_api)
    with client.responses.retrieve(response_id, stream=True, starting_after=len(seen) - 1) as stream:
        assert list(stream) == []
    assert job_stats(background_api, response_id)["drops"] == 1


def test_raw_wire_format(background_api: str) -> None:
    body = {"model": "gpt-test", "input": "hi", "background": True, "stream": True, "metadata": script()}
    with httpx2.stream("POST", f"{background_api}/responses", json=body) as answer:
        text = answer.read().decode()
    frames = [frame for frame in text.split("\n\n") if frame]
    assert len(frames) == len(COMPLETED_TYPES)
    for number, frame in enumerate(frames):
        event_line, data_line = frame.split("\n")
        payload = json.loads(data_line.removeprefix("data: "))
        assert event_line == f"event: {payload['type']}"
        assert payload["sequence_number"] == number
        EVENTS.validate_python(payload)
