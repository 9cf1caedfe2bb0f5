"""A dropped background stream whose resume is refused as too old still learns how the run ended.

The API refuses to stream a response again once it is more than 5 minutes old
(openai-python #2828): a 400 whose message says so. The stream then polls the
response (honouring `openai-poll-after-ms`): a status in `raise_on` raises the
typed error; a completed run ends the stream with a `response.completed` built
from the polled response, so `get_final_response()` returns the whole of it.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

import openai_background_errors as obe

from .conftest import (
    STREAM_ENTRIES,
    Server,
    dropped_stream,
    final_response,
    make_client,
    open_stream,
    read_stream,
    stream_body,
)

TOO_OLD = "This response can no longer be streamed because it is more than 5 minutes old."


def _refusal(message: str = TOO_OLD) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}


def _in_progress(final: dict[str, Any]) -> dict[str, Any]:
    return {**final, "status": "in_progress", "output": [], "error": None, "incomplete_details": None}


async def _read(client: Any, entry: str, is_async: bool) -> tuple[list[int], Any, BaseException | None]:
    """Sequence numbers seen, the helper's final response (stream helpers only), and what was raised."""
    seen, final, error = await read_stream(client, entry, is_async, catch=obe.BackgroundResponseError)
    return [event.sequence_number for event in seen], final, error


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_completed_run_ends_the_stream_with_the_polled_response(
    server: Server, is_async: bool, slept: list[float], entry: str
) -> None:
    final = final_response("completed")
    server.then(dropped_stream(stream_body("completed"), 5))  # events 0..4, then the connection drops
    server.json(_refusal(), status=400)
    server.json(_in_progress(final), headers={"openai-poll-after-ms": "750"})
    server.json(final, headers={"x-request-id": "req_final_poll"})
    client = make_client(server, is_async=is_async)

    seen, helper_final, error = await _read(client, entry, is_async)

    assert error is None
    # What the caller does not see: the events between the drop (after 4) and the end.
    assert seen == [0, 1, 2, 3, 4, 5]  # 5: the response.completed built from the polled response
    resume, *polls = server.requests[1:]
    if entry.startswith("stream("):
        # The same final response as the stream gives when it is never dropped.
        server.sse(stream_body("completed"))
        _, undropped, _ = await _read(make_client(server, is_async=is_async), entry, is_async)
        assert helper_final.model_dump(mode="json") == undropped.model_dump(mode="json")
        assert helper_final.output_text == "Hello from the background."
    assert (resume.url.params.get("stream"), resume.url.params.get("starting_after")) == ("true", "4")
    assert [(r.method, r.url.path, r.headers.get("x-stainless-poll-helper")) for r in polls] == [
        ("GET", f"/v1/responses/{final['id']}", "true")
    ] * 2
    assert slept == [0.75]


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_failed_run_raises_the_typed_error(server: Server, is_async: bool, entry: str) -> None:
    final = final_response("failed_with_error_event")
    server.then(dropped_stream(stream_body("failed_with_error_event"), 2))  # created, in_progress
    server.json(_refusal(), status=400)
    server.json(final, headers={"x-request-id": "req_poll"})
    client = make_client(server, is_async=is_async)

    seen, _, error = await _read(client, entry, is_async)

    assert seen == [0, 1]
    assert isinstance(error, obe.BackgroundServerError)
    assert (error.response_id, error.request_id, error.sequence_number) == (final["id"], "req_poll", None)
    assert error.response is not None and error.response.status == "failed"


async def test_a_refusal_right_after_the_error_event_raises_with_the_polled_response(
    server: Server, is_async: bool
) -> None:
    final = final_response("failed_with_error_event")
    server.then(dropped_stream(stream_body("failed_with_error_event"), 3))  # ..., error; then the drop
    server.json(_refusal(), status=400)
    server.json(final)
    client = make_client(server, is_async=is_async)

    seen, _, error = await _read(client, "retrieve(stream=True)", is_async)

    assert seen == [0, 1]
    assert isinstance(error, obe.BackgroundServerError)
    assert error.response is not None


async def test_an_incomplete_run_outside_raise_on_ends_with_response_incomplete(
    server: Server, is_async: bool
) -> None:
    final = final_response("incomplete")
    server.then(dropped_stream(stream_body("incomplete"), 4))
    server.json(_refusal(), status=400)
    server.json(final)
    client = make_client(server, is_async=is_async)

    opened = open_stream(client, "retrieve(stream=True)")
    events = [event async for event in await opened] if is_async else list(opened)

    assert [event.sequence_number for event in events] == [0, 1, 2, 3, 4]
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.status == "incomplete"


async def test_another_400_on_resume_stays_the_sdks_error(server: Server, is_async: bool) -> None:
    server.then(dropped_stream(stream_body("completed"), 5))
    server.json(_refusal("Invalid value for starting_after."), status=400)
    client = make_client(server, is_async=is_async)
    with pytest.raises(openai.BadRequestError, match="starting_after"):
        await _read(client, "retrieve(stream=True)", is_async)
    assert len(server.requests) == 2
