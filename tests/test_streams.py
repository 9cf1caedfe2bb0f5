"""Stream entry points of the project's clients on the recorded streams, sync and async."""

from __future__ import annotations

import re
from typing import Any

import httpx2
import openai
import pytest
from inline_snapshot import snapshot
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

import openai_background_errors as obe
from openai_background_errors.registry import RaisePolicy
from openai_background_errors.streaming import FailureWatch, watch_events

from .conftest import (
    BASE_URL,
    STREAM_ENTRIES,
    STREAM_RESPONSE_ID,
    Server,
    dropped_stream,
    make_client,
    open_stream,
    response_body,
    stream_body,
    stream_tail,
)

RECORDINGS = [
    "completed",
    "failed_with_error_event",
    "failed_without_error_event",
    "error_event_only",
    "incomplete",
]


async def _consume(client: Any, entry: str, is_async: bool) -> tuple[list[str], BaseException | None]:
    """The event types seen, and what iteration raised at the end (None when it finished)."""
    seen: list[str] = []
    opened = open_stream(client, entry)
    try:
        if entry.startswith("stream("):
            if is_async:
                async with opened as stream:
                    async for event in stream:
                        seen.append(event.type)
            else:
                with opened as stream:
                    for event in stream:
                        seen.append(event.type)
        elif is_async:
            async for event in await opened:
                seen.append(event.type)
        else:
            for event in opened:
                seen.append(event.type)
    except obe.BackgroundResponseError as error:
        return seen, error
    return seen, None


def _types(recording: str) -> list[str]:
    """The event types of a recorded stream, in order."""
    return re.findall(r"^event: (\S+)$", stream_body(recording).decode(), flags=re.MULTILINE)


def _before_failure(recording: str) -> list[str]:
    """The event types of a recorded stream before the first one that reveals a failure."""
    types = _types(recording)
    return types[: next(i for i, kind in enumerate(types) if kind in ("error", "response.failed"))]


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "finished"
    assert isinstance(error, obe.BackgroundResponseError)
    return f"{error!r} seq={error.sequence_number} has_response={error.response is not None}"


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_each_entry_point_on_each_recording(server: Server, is_async: bool, entry: str) -> None:
    outcomes: dict[str, tuple[int, str]] = {}
    for recording in RECORDINGS:
        server.sse(stream_body(recording), headers={"x-request-id": f"req_{recording}"})
        if recording == "error_event_only":
            # The background stream ends without a terminal event: one retrieve says how the run ended.
            ended = {**response_body("failed_invalid_prompt"), "id": "resp_bg_stream_error_event_only_0001"}
            server.json(ended, headers={"x-request-id": "req_retrieve"})
        client = make_client(server, is_async=is_async)
        seen, error = await _consume(client, entry, is_async)
        assert len(server.answers) == 0
        # Every event before the one that reveals the failure is delivered; that one is raised instead.
        assert seen == _before_failure(recording) if error is not None else _types(recording)
        outcomes[recording] = (len(seen), re.sub(r"resp_bg_stream_\w+_0001", "<id>", _outcome(error)))
    assert outcomes == snapshot(
        {
            "completed": (13, "finished"),
            "failed_with_error_event": (
                2,
                "BackgroundServerError(code='server_error', message='The server had an error while processing your request. Submit the request again.', response_id='<id>', request_id='req_failed_with_error_event') seq=3 has_response=True",
            ),
            "failed_without_error_event": (
                2,
                "BackgroundRateLimitError(code='rate_limit_exceeded', message='Rate limit reached for gpt-4.1-mini on tokens per min (TPM). Try again shortly.', response_id='<id>', request_id='req_failed_without_error_event') seq=2 has_response=True",
            ),
            "error_event_only": (
                2,
                "BackgroundInvalidPromptError(code='invalid_prompt', message='Invalid prompt: the prompt was flagged as potentially violating the usage policy.', response_id='<id>', request_id='req_retrieve') seq=3 has_response=True",
            ),
            "incomplete": (12, "finished"),
        }
    )


@pytest.mark.parametrize("entry", ["stream(input=...)", "stream(response_id=...)"])
async def test_helpers_until_done_and_get_final_response_raise_a_runtime_error(
    server: Server, is_async: bool, entry: str
) -> None:
    for method in ("until_done", "get_final_response"):
        server.sse(stream_body("failed_without_error_event"), headers={"x-request-id": "req_helper"})
        client = make_client(server, is_async=is_async)
        with pytest.raises(RuntimeError) as caught:
            if is_async:
                async with open_stream(client, entry) as stream:
                    await getattr(stream, method)()
            else:
                with open_stream(client, entry) as stream:
                    getattr(stream, method)()
        error = caught.value
        assert isinstance(error, obe.BackgroundRateLimitError)
        assert (error.code, error.sequence_number, error.request_id) == (
            "rate_limit_exceeded",
            2,
            "req_helper",
        )


def _foreground(recording: str) -> bytes:
    return stream_body(recording).replace(b'"background":true', b'"background":false')


async def test_error_event_alone_takes_its_fields_from_the_event(server: Server, is_async: bool) -> None:
    # A foreground run cannot be retrieved: the event says all there is.
    server.sse(_foreground("error_event_only"), headers={"x-request-id": "req_err"})
    client = make_client(server, is_async=is_async)
    _, error = await _consume(client, "create(stream=True)", is_async)
    assert len(server.requests) == 1
    assert isinstance(error, obe.BackgroundInvalidPromptError)
    assert error.response is None
    assert (error.code, error.param, error.sequence_number, error.request_id) == (
        "invalid_prompt",
        None,
        2,
        "req_err",
    )
    assert error.message


async def test_raise_on_governs_incomplete_streams(server: Server, is_async: bool) -> None:
    server.sse(stream_body("incomplete")).sse(stream_body("incomplete"))
    _, default = await _consume(make_client(server, is_async=is_async), "retrieve(stream=True)", is_async)
    assert default is None
    opted_in = make_client(server, is_async=is_async, raise_on=("failed", "incomplete"))
    _, error = await _consume(opted_in, "retrieve(stream=True)", is_async)
    assert isinstance(error, obe.BackgroundMaxOutputTokensError)
    assert error.reason == "max_output_tokens"


def _dump(events: list[Any]) -> list[dict[str, Any]]:
    return [event.model_dump(mode="json", warnings=False) for event in events]


def test_successful_stream_matches_the_stock_helper(server: Server) -> None:
    body = stream_body("completed")
    server.sse(body).sse(body)
    stock = openai.OpenAI(
        api_key="sk-test", base_url=BASE_URL, http_client=httpx2.Client(transport=server.transport)
    )
    ours = make_client(server, is_async=False)

    results: list[tuple[list[dict[str, Any]], dict[str, Any], str]] = []
    for client in (stock, ours):
        with client.responses.stream(response_id=STREAM_RESPONSE_ID) as stream:
            events = list(stream)
            final = stream.get_final_response()
        results.append((_dump(events), final.model_dump(mode="json", warnings=False), final.output_text))

    assert results[0] == results[1]
    assert results[1][2] == "Hello from the background."


def test_stream_with_starting_after_filters_as_the_sdk_does(server: Server) -> None:
    server.sse(stream_body("completed"))
    client = make_client(server, is_async=False)
    with client.responses.stream(response_id=STREAM_RESPONSE_ID, starting_after=3) as stream:
        numbers = [event.sequence_number for event in stream]
    assert numbers == list(range(4, 13))


@pytest.mark.parametrize("entry", ["retrieve(stream=True)", "stream(response_id=...)", "create(stream=True)"])
async def test_a_dropped_background_stream_resumes_without_loss_or_repeat(
    server: Server, is_async: bool, entry: str
) -> None:
    body = stream_body("completed")
    server.then(dropped_stream(body, 5))  # events 0..4, then the connection drops
    server.then(dropped_stream(stream_tail(body, 4), 3))  # events 5..7, drops again
    server.sse(stream_tail(body, 7))  # events 8..12
    client = make_client(server, is_async=is_async)

    seen: list[int] = []
    opened = open_stream(client, entry)
    if entry.startswith("stream("):
        if is_async:
            async with opened as stream:
                seen = [event.sequence_number async for event in stream]
        else:
            with opened as stream:
                seen = [event.sequence_number for event in stream]
    elif is_async:
        seen = [event.sequence_number async for event in await opened]
    else:
        seen = [event.sequence_number for event in opened]

    assert seen == list(range(13))
    resumed = [(r.method, r.url.path, r.url.params.get("starting_after")) for r in server.requests[1:]]
    response_id = "resp_bg_stream_completed_0001"
    assert resumed == [
        ("GET", f"/v1/responses/{response_id}", "4"),
        ("GET", f"/v1/responses/{response_id}", "7"),
    ]


async def test_resumes_are_bounded(server: Server, is_async: bool) -> None:
    body = stream_body("completed")
    server.then(dropped_stream(body, 3)).then(dropped_stream(stream_tail(body, 2), 1))
    client = make_client(server, is_async=is_async, max_stream_resumes=1)
    with pytest.raises(openai.APIConnectionError):
        await _consume(client, "retrieve(stream=True)", is_async)
    assert len(server.requests) == 2


async def test_a_dropped_foreground_stream_raises_the_sdks_connection_error(
    server: Server, is_async: bool
) -> None:
    foreground = stream_body("completed").replace(b'"background":true', b'"background":false')
    server.then(dropped_stream(foreground, 4))
    client = make_client(server, is_async=is_async)
    with pytest.raises(openai.APIConnectionError):
        await _consume(client, "create(stream=True)", is_async)
    assert len(server.requests) == 1


def _events(recording: str) -> list[Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(ResponseStreamEvent)
    return [
        adapter.validate_json(chunk.split(b"data: ", 1)[1])
        for chunk in stream_body(recording).split(b"\n\n")
        if chunk.strip()
    ]


def _watch(raise_on: tuple[str, ...]) -> FailureWatch:
    return FailureWatch(RaisePolicy.of(raise_on, None), request_id="req_watch")


def test_an_error_event_raises_only_when_failed_is_in_raise_on() -> None:
    events = _events("error_event_only")
    assert list(watch_events(events, _watch(("incomplete",)))) == events
    with pytest.raises(obe.BackgroundInvalidPromptError):
        list(watch_events(events, _watch(("failed",))))


def test_a_terminal_event_after_an_error_event_decides_the_outcome() -> None:
    completed = _events("completed")
    error_event = _events("error_event_only")[2]
    events = [*completed[:-1], error_event.model_copy(update={"sequence_number": 12}), completed[-1]]
    assert list(watch_events(events, _watch(("failed",)))) == events


async def test_a_resumed_stream_keeps_the_original_starting_after_and_query(
    server: Server, is_async: bool
) -> None:
    body = stream_body("completed")
    server.then(dropped_stream(stream_tail(body, 5), 0))  # drops before its first event
    server.sse(stream_tail(body, 5))
    client = make_client(server, is_async=is_async)

    opened = client.responses.retrieve(
        STREAM_RESPONSE_ID, stream=True, starting_after=5, include=["message.output_text.logprobs"]
    )
    seen = (
        [event.sequence_number async for event in await opened]
        if is_async
        else [event.sequence_number for event in opened]
    )

    assert seen == list(range(6, 13))
    first, resumed = (request.url.params for request in server.requests)
    assert resumed.get("starting_after") == "5"
    assert sorted(resumed.multi_items()) == sorted(first.multi_items())


async def test_an_error_after_a_resume_carries_the_request_id_of_its_connection(
    server: Server, is_async: bool
) -> None:
    body = stream_body("failed_without_error_event")
    server.then(dropped_stream(body, 2))
    server.sse(stream_tail(body, 1), headers={"x-request-id": "req_resumed"})
    client = make_client(server, is_async=is_async)
    _, error = await _consume(client, "retrieve(stream=True)", is_async)
    assert isinstance(error, obe.BackgroundRateLimitError)
    assert error.request_id == "req_resumed"


async def _consume_like_a_library(client: Any, entry: str, is_async: bool) -> list[str]:
    """Read as openai-agents and langchain-openai do: stop with an error of one's own at a failure event."""
    seen: list[str] = []

    def take(event: Any) -> None:
        if event.type in ("error", "response.failed"):
            raise ValueError(f"the library's own error for {event.type}")
        seen.append(event.type)

    opened = open_stream(client, entry)
    if entry.startswith("stream("):
        if is_async:
            async with opened as stream:
                async for event in stream:
                    take(event)
        else:
            with opened as stream:
                for event in stream:
                    take(event)
    elif is_async:
        async for event in await opened:
            take(event)
    else:
        for event in opened:
            take(event)
    return seen


@pytest.mark.parametrize(
    "recording", ["failed_with_error_event", "failed_without_error_event", "error_event_only"]
)
@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_consumer_that_stops_at_the_failure_event_gets_the_typed_error(
    server: Server, is_async: bool, entry: str, recording: str
) -> None:
    server.sse(stream_body(recording), headers={"x-request-id": "req_library"})
    if recording == "error_event_only":
        # The background stream ends without a terminal event: the retrieve's Response decides.
        server.json(response_body("failed_invalid_prompt"), headers={"x-request-id": "req_retrieve"})
    client = make_client(server, is_async=is_async)
    with pytest.raises(obe.BackgroundResponseFailedError) as caught:
        await _consume_like_a_library(client, entry, is_async)
    assert caught.value.code is not None
    assert caught.value.request_id == ("req_retrieve" if recording == "error_event_only" else "req_library")
    assert not server.answers


def test_an_error_event_followed_by_a_non_terminal_event_raises_and_yields_neither() -> None:
    events = _events("error_event_only")
    delta = _events("completed")[5]
    assert delta.type == "response.output_text.delta"
    seen: list[Any] = []
    with pytest.raises(obe.BackgroundInvalidPromptError) as caught:
        seen.extend(
            watch_events([*events, delta.model_copy(update={"sequence_number": 3})], _watch(("failed",)))
        )
    assert seen == events[:2]
    assert (caught.value.sequence_number, caught.value.response) == (2, None)


def test_an_error_event_then_response_failed_raises_with_the_whole_response() -> None:
    events = _events("failed_with_error_event")
    assert [event.type for event in events[2:]] == ["error", "response.failed"]
    seen: list[Any] = []
    with pytest.raises(obe.BackgroundServerError) as caught:
        seen.extend(watch_events(events, _watch(("failed",))))
    assert seen == events[:2]
    assert caught.value.response == events[3].response
    assert caught.value.sequence_number == 3
    # Task queues rebuild it with `cls(*args)`: its `args` carry the sequence number too.
    assert type(caught.value)(*caught.value.args).sequence_number == 3


async def test_a_drop_right_after_the_error_event_resumes_and_raises_at_response_failed(
    server: Server, is_async: bool
) -> None:
    body = stream_body("failed_with_error_event")
    server.then(dropped_stream(body, 3))  # created, in_progress, error; then the connection drops
    server.sse(stream_tail(body, 2), headers={"x-request-id": "req_resumed"})  # response.failed
    client = make_client(server, is_async=is_async)
    seen, error = await _consume(client, "retrieve(stream=True)", is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert isinstance(error, obe.BackgroundServerError)
    assert (error.sequence_number, error.request_id) == (3, "req_resumed")
    assert error.response is not None
    assert server.requests[1].url.params.get("starting_after") == "2"


async def test_an_unresumable_drop_after_the_error_event_raises_the_event_s_error(
    server: Server, is_async: bool
) -> None:
    foreground = stream_body("failed_with_error_event").replace(b'"background":true', b'"background":false')
    server.then(dropped_stream(foreground, 3))
    client = make_client(server, is_async=is_async)
    seen, error = await _consume(client, "create(stream=True)", is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert isinstance(error, obe.BackgroundServerError)
    assert (error.response, error.sequence_number) == (None, 2)
    assert isinstance(error.__cause__, openai.APIConnectionError)
    assert len(server.requests) == 1


_UNDECODABLE = b"event: response.failed\ndata: {not json\n\n"
_ERROR_PAYLOAD = b'event: response.failed\ndata: {"error": {"message": "stream broke"}}\n\n'


@pytest.mark.parametrize(
    ("following", "cause"),
    [
        pytest.param("undecodable", ValueError, id="data-that-is-not-json"),
        pytest.param("error-payload", obe.BackgroundResponseFailedError, id="an-error-payload"),
        pytest.param("refused-resume", openai.NotFoundError, id="a-drop-then-a-refused-resume"),
    ],
)
@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_whatever_stops_the_read_past_the_error_event_raises_the_event_s_error(
    server: Server, is_async: bool, entry: str, following: str, cause: type[Exception]
) -> None:
    # The read past an `error` event is the package's own; the stock SDK would have delivered the
    # `error` event before meeting what follows it, so that must not displace the typed error.
    head = b"".join(chunk + b"\n\n" for chunk in stream_body("failed_with_error_event").split(b"\n\n")[:3])
    if following == "refused-resume":
        server.then(dropped_stream(head, 3))
        server.json({"error": {"message": "No response found", "type": "invalid_request_error"}}, status=404)
    else:
        server.sse(head + (_UNDECODABLE if following == "undecodable" else _ERROR_PAYLOAD))
    client = make_client(server, is_async=is_async)
    seen, error = await _consume(client, entry, is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert isinstance(error, obe.BackgroundServerError)
    assert (error.response, error.sequence_number, error.code) == (None, 2, "server_error")
    assert isinstance(error.__cause__, cause)
