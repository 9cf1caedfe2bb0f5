"""Every body and event the emulator sends through whole lifecycles, validated strictly by the SDK.

The oracle is the installed SDK's own pydantic types with ``strict=True`` (no coercion): each
`Response` the emulator answers with (create, every poll, cancel), each stream event of each
stream path (a background create's stream, a replay, a foreground stream), each input-items page
(the empty one included) and each webhook payload. The nested in-band error event has no SDK
type (the SDK documents the flat one); its ``error`` object is the API's error object, which
`openai.types.ErrorObject` is. What is read here is the raw wire, not what a client made of it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2
import pydantic
import pytest
from openai.types import ErrorObject
from openai.types.responses import Response, ResponseItemList, ResponseStreamEvent
from openai.types.webhooks import UnwrapWebhookEvent

from openai_background_errors.emulator import WebhookTarget, new_webhook_secret

from ..webhook_receiver import Receiver
from .conftest import script

RESPONSE: pydantic.TypeAdapter[Response] = pydantic.TypeAdapter(Response)
EVENT: pydantic.TypeAdapter[ResponseStreamEvent] = pydantic.TypeAdapter(ResponseStreamEvent)
ITEMS: pydantic.TypeAdapter[ResponseItemList] = pydantic.TypeAdapter(ResponseItemList)
WEBHOOK: pydantic.TypeAdapter[UnwrapWebhookEvent] = pydantic.TypeAdapter(UnwrapWebhookEvent)
ERROR: pydantic.TypeAdapter[ErrorObject] = pydantic.TypeAdapter(ErrorObject)

Json = dict[str, Any]
FATES = ["completed", "failed:server_error", "failed", "incomplete:max_output_tokens", "incomplete"]
SHAPES = ["flat", "nested"]
TERMINAL = {
    "completed": "response.completed",
    "failed": "response.failed",
    "incomplete": "response.incomplete",
}


@pytest.fixture
def background_api_webhook(receiver: Receiver) -> WebhookTarget:
    """Every emulator of this module posts its end-of-job events to ``receiver``."""
    return WebhookTarget(receiver.url, new_webhook_secret())


def strict_response(body: object) -> Response:
    return RESPONSE.validate_python(body, strict=True)


def strict_event(event: Json) -> Json:
    """Validate one event as the SDK's type for it (the nested error event: its error object)."""
    if event["type"] == "error" and "error" in event:
        assert set(event) == {"type", "sequence_number", "error"}
        assert isinstance(event["sequence_number"], int)
        ERROR.validate_python(event["error"], strict=True)
    else:
        EVENT.validate_python(event, strict=True)
    return event


def sse_events(answer: httpx2.Response) -> list[Json]:
    """The events of a server-sent-event body, each ``event:`` line checked against its data's type."""
    assert answer.headers["content-type"].startswith("text/event-stream")
    events: list[Json] = []
    for frame in filter(None, answer.text.split("\n\n")):
        event_line, data_line = frame.split("\n")
        event: Json = json.loads(data_line.removeprefix("data: "))
        assert event_line == f"event: {event['type']}"
        events.append(strict_event(event))
    assert [event["sequence_number"] for event in events] == list(
        range(events[0]["sequence_number"], len(events) + events[0]["sequence_number"])
    )
    return events


def create(base_url: str, **body: Any) -> httpx2.Response:
    answer = httpx2.post(
        f"{base_url}/responses", json={"model": "gpt-test", "input": "hi", **body}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer


def poll_until_settled(base_url: str, response_id: str) -> list[Response]:
    """Every snapshot polled until the response settles, each validated."""
    seen: list[Response] = []
    deadline = time.monotonic() + 10
    while not seen or seen[-1].status in ("queued", "in_progress"):
        assert time.monotonic() < deadline
        answer = httpx2.get(f"{base_url}/responses/{response_id}")
        assert answer.status_code == 200
        seen.append(strict_response(answer.json()))
        time.sleep(0.005)
    return seen


def expected_types(fate: str, *, queued: bool) -> list[str]:
    status = fate.partition(":")[0]
    head = ["response.created", *(["response.queued"] if queued else []), "response.in_progress"]
    if status == "failed":
        return [*head, "error", "response.failed"]
    text = [
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 5,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
    ]
    return [*head, *text, TERMINAL[status]]


def check_error_event(events: list[Json], fate: str, shape: str) -> None:
    (error,) = [event for event in events if event["type"] == "error"]
    code = fate.partition(":")[2] or None
    carried = error["error"] if shape == "nested" else error
    assert ("error" in error) == (shape == "nested")
    assert (carried["code"], carried["param"]) == (code, None)


def webhook_types(receiver: Receiver, count: int) -> list[str]:
    return [WEBHOOK.validate_python(json.loads(d.body), strict=True).type for d in receiver.wait_for(count)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fate", FATES)
def test_a_background_lifecycle_polled_replayed_listed_and_deleted(
    background_api: str, receiver: Receiver, fate: str, shape: str
) -> None:
    metadata = script(outcome=fate, error_event=shape)
    created = strict_response(create(background_api, background=True, metadata=metadata).json())
    assert created.status == "queued"
    polled = poll_until_settled(background_api, created.id)
    final = polled[-1]
    assert final.status == fate.partition(":")[0]
    assert {snapshot.status for snapshot in polled[:-1]} <= {"queued", "in_progress"}

    with httpx2.stream("GET", f"{background_api}/responses/{created.id}?stream=true") as answer:
        answer.read()
        events = sse_events(answer)
    assert [event["type"] for event in events] == expected_types(fate, queued=True)
    assert events[0]["response"]["status"] == events[1]["response"]["status"] == "queued"
    assert strict_response(events[-1]["response"]) == final
    if final.status == "failed":
        check_error_event(events, fate, shape)

    items = ITEMS.validate_python(
        httpx2.get(f"{background_api}/responses/{created.id}/input_items").json(), strict=True
    )
    assert items.first_id == items.last_id == items.data[0].id
    after_last = httpx2.get(f"{background_api}/responses/{created.id}/input_items?after={items.last_id}")
    empty = ITEMS.validate_python(after_last.json(), strict=True)
    assert (empty.data, empty.has_more) == ([], False)

    assert webhook_types(receiver, 1) == [TERMINAL[fate.partition(":")[0]]]

    deleted = httpx2.delete(f"{background_api}/responses/{created.id}")
    assert deleted.json() == {"id": created.id, "object": "response", "deleted": True}
    gone = httpx2.get(f"{background_api}/responses/{created.id}")
    assert gone.status_code == 404
    ERROR.validate_python(gone.json()["error"], strict=True)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fate", FATES)
def test_a_background_stream_from_create(background_api: str, fate: str, shape: str) -> None:
    body = {"background": True, "stream": True, "metadata": script(outcome=fate, error_event=shape)}
    with httpx2.stream(
        "POST", f"{background_api}/responses", json={"model": "gpt-test", "input": "hi", **body}
    ) as answer:
        answer.read()
        events = sse_events(answer)
    assert [event["type"] for event in events] == expected_types(fate, queued=True)
    if fate.startswith("failed"):
        check_error_event(events, fate, shape)
    final = strict_response(events[-1]["response"])
    assert strict_response(httpx2.get(f"{background_api}/responses/{final.id}").json()) == final


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fate", FATES)
def test_foreground_answers_and_streams(background_api: str, fate: str, shape: str) -> None:
    metadata = script(outcome=fate, error_event=shape)
    answered = strict_response(create(background_api, metadata=metadata).json())
    assert (answered.status, answered.background) == (fate.partition(":")[0], False)

    body = {"model": "gpt-test", "input": "hi", "stream": True, "metadata": metadata}
    with httpx2.stream("POST", f"{background_api}/responses", json=body) as answer:
        answer.read()
        events = sse_events(answer)
    assert [event["type"] for event in events] == expected_types(fate, queued=False)
    assert events[0]["response"]["status"] == "in_progress"
    if fate.startswith("failed"):
        check_error_event(events, fate, shape)


def test_a_cancelled_job_keeps_what_it_streamed(background_api: str, receiver: Receiver) -> None:
    metadata = script(queue_ms="0", run_ms="3000")
    created = strict_response(create(background_api, background=True, metadata=metadata).json())
    streamed: list[Json] = []
    with httpx2.stream("GET", f"{background_api}/responses/{created.id}?stream=true", timeout=10) as answer:
        lines = answer.iter_lines()
        for line in lines:
            if line.startswith("data: "):
                streamed.append(strict_event(json.loads(line.removeprefix("data: "))))
            if [event["type"] for event in streamed].count("response.output_text.delta") == 2:
                break
        cancelled = strict_response(httpx2.post(f"{background_api}/responses/{created.id}/cancel").json())
        for line in lines:
            if line.startswith("data: "):
                streamed.append(strict_event(json.loads(line.removeprefix("data: "))))
    assert cancelled.status == "cancelled"
    deltas = "".join(event["delta"] for event in streamed if event["type"] == "response.output_text.delta")
    assert deltas and cancelled.output_text == deltas
    assert [item.status for item in cancelled.output] == ["incomplete"]  # type: ignore[union-attr]
    assert strict_response(httpx2.get(f"{background_api}/responses/{created.id}").json()) == cancelled
    with httpx2.stream("GET", f"{background_api}/responses/{created.id}?stream=true") as replay:
        replay.read()
        assert [event["type"] for event in sse_events(replay)] == [event["type"] for event in streamed]
    assert webhook_types(receiver, 1) == ["response.cancelled"]


def test_a_job_cancelled_while_queued_has_no_output(background_api: str) -> None:
    metadata = script(queue_ms="3000")
    created = strict_response(create(background_api, background=True, metadata=metadata).json())
    cancelled = strict_response(httpx2.post(f"{background_api}/responses/{created.id}/cancel").json())
    assert (cancelled.status, cancelled.output) == ("cancelled", [])


DEFAULTS: Json = {
    "parallel_tool_calls": True,
    "reasoning": {"effort": None, "summary": None},
    "store": True,
    "temperature": 1.0,
    "text": {"format": {"type": "text"}, "verbosity": "medium"},
    "tool_choice": "auto",
    "tools": [],
    "top_logprobs": 0,
    "top_p": 1.0,
    "truncation": "disabled",
}
"""The OpenAPI spec's defaults (openai/openai-openapi), as recorded answers show them."""


def test_unset_config_fields_carry_the_apis_defaults(background_api: str) -> None:
    created = create(background_api, background=True, metadata=script()).json()
    strict_response(created)
    assert {name: created[name] for name in DEFAULTS} == DEFAULTS
    assert created["service_tier"] == "auto"
    final = poll_until_settled(background_api, created["id"])[-1]
    assert final.service_tier == "default"


def test_set_config_fields_are_echoed(background_api: str) -> None:
    tool: Json = {
        "type": "function",
        "name": "lookup",
        "parameters": {"type": "object", "properties": {}},
        "strict": True,
    }
    schema: Json = {
        "type": "json_schema",
        "name": "city",
        "schema": {"type": "object", "properties": {}},
        "strict": True,
    }
    settings: Json = {
        "instructions": "Be brief.",
        "max_output_tokens": 100,
        "parallel_tool_calls": False,
        "reasoning": {"effort": "low"},
        "service_tier": "flex",
        "temperature": 0.2,
        "text": {"format": schema},
        "tool_choice": "none",
        "tools": [tool],
        "top_logprobs": 3,
        "top_p": 0.5,
        "truncation": "auto",
        "user": "user-1",
    }
    created = create(background_api, background=True, metadata=script(), **settings).json()
    strict_response(created)
    expected: Json = {
        **settings,
        "reasoning": {"effort": "low", "summary": None},
        "text": {"format": schema, "verbosity": "medium"},
    }
    assert {name: created[name] for name in settings} == expected
    assert poll_until_settled(background_api, created["id"])[-1].service_tier == "flex"
