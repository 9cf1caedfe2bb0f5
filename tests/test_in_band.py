"""In-band errors of each shape, and background streams that end without a terminal event.

Every stream entry point, sync and async. The nested shape is the live API's (captured in
openai/openai-dotnet #881, #528 and #849, and zendev-sh/goai #88); the SDK's own `Stream`
raises a plain `APIError` for it before this package sees the event.
"""

from __future__ import annotations

from typing import Any

import httpx
import httpx2
import openai
import pytest

import openai_background_errors as obe

from . import lanes
from .conftest import (
    BASE_URL,
    STREAM_ENTRIES,
    Server,
    dropped_stream,
    final_response,
    http_client,
    make_client,
    read_stream,
    response_body,
    stream_body,
    stream_tail,
)

POST_ENTRIES = ["create(stream=True)", "stream(input=...)"]
"""The entry points that start a run, and so can start a foreground one."""

RATE_LIMIT_HEADERS = {
    "x-ratelimit-limit-requests": "500",
    "x-ratelimit-limit-tokens": "30000",
    "x-ratelimit-remaining-requests": "499",
    "x-ratelimit-remaining-tokens": "4735",
    "x-ratelimit-reset-requests": "120ms",
    "x-ratelimit-reset-tokens": "50.529s",
}


def _run(name: str, recording: str) -> dict[str, Any]:
    """A recorded `GET /v1/responses/{id}` body, as the run of a recorded stream."""
    return {**response_body(name), "id": f"resp_bg_stream_{recording}_0001"}


def _foreground(recording: str) -> bytes:
    return stream_body(recording).replace(b'"background":true', b'"background":false')


def _head(recording: str, count: int) -> bytes:
    """The first `count` events of a recording, then a clean end (no terminal event)."""
    chunks = [chunk for chunk in stream_body(recording).split(b"\n\n") if chunk]
    return b"".join(chunk + b"\n\n" for chunk in chunks[:count])


async def _read(client: Any, entry: str, is_async: bool) -> tuple[list[str], Any, Exception | None]:
    """The event types seen, the helper's final response (stream helpers), and what was raised."""
    seen, final, error = await read_stream(client, entry, is_async)
    return [event.type for event in seen], final, error


def _look_ups(server: Server) -> list[str]:
    """The requests that looked the run up (a retrieve without `stream`)."""
    return [
        request.url.path
        for request in server.requests
        if request.method == "GET" and request.url.params.get("stream") != "true"
    ]


# --- in-band errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_flat_error_event_then_response_failed_raises_with_the_response(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(stream_body("failed_with_error_event"), headers={"x-request-id": "req_stream"})
    client = make_client(server, is_async=is_async)
    seen, _, error = await _read(client, entry, is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert isinstance(error, obe.BackgroundServerError)
    assert (error.code, error.retryable, error.request_id, error.sequence_number) == (
        "server_error",
        True,
        "req_stream",
        3,
    )
    assert error.response is not None and error.response.status == "failed"
    assert _look_ups(server) == []


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_nested_error_event_on_a_background_stream_raises_with_the_run_s_response(
    server: Server, is_async: bool, entry: str
) -> None:
    # The SDK raises its `APIError` at the nested event: the `response.failed` after it is never
    # read. The run is looked up once, and its `Response` decides.
    recording = "failed_with_nested_error_event"
    server.sse(stream_body(recording), headers={"x-request-id": "req_stream"})
    server.json(_run("failed_rate_limit_exceeded", recording), headers={"x-request-id": "req_look_up"})
    client = make_client(server, is_async=is_async)
    seen, _, error = await _read(client, entry, is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert isinstance(error, obe.BackgroundRateLimitError)
    assert (error.code, error.retryable, error.request_id) == ("rate_limit_exceeded", True, "req_look_up")
    assert error.response is not None and error.response.id == f"resp_bg_stream_{recording}_0001"
    assert _look_ups(server) == [f"/v1/responses/resp_bg_stream_{recording}_0001"]
    assert not server.answers


@pytest.mark.parametrize("recording", ["error_event_only", "nested_error_event_only"])
@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_an_error_event_alone_on_a_background_stream_raises_with_the_run_s_response(
    server: Server, is_async: bool, entry: str, recording: str
) -> None:
    server.sse(stream_body(recording), headers={"x-request-id": "req_stream"})
    server.json(_run("failed_server_error", recording), headers={"x-request-id": "req_look_up"})
    client = make_client(server, is_async=is_async)
    _, _, error = await _read(client, entry, is_async)
    # The run's own failure wins over the event's code.
    assert isinstance(error, obe.BackgroundServerError)
    assert (error.code, error.request_id) == ("server_error", "req_look_up")
    assert error.response is not None


@pytest.mark.parametrize("entry", POST_ENTRIES)
async def test_a_flat_error_event_alone_on_a_foreground_stream_raises_from_the_event(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(_foreground("error_event_only"), headers={"x-request-id": "req_stream"})
    client = make_client(server, is_async=is_async)
    seen, _, error = await _read(client, entry, is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert isinstance(error, obe.BackgroundInvalidPromptError)
    assert (error.code, error.param, error.retryable, error.request_id, error.sequence_number) == (
        "invalid_prompt",
        None,
        False,
        "req_stream",
        2,
    )
    assert (error.error_type, error.details, error.response) == (None, {}, None)
    assert len(server.requests) == 1


@pytest.mark.parametrize("entry", POST_ENTRIES)
async def test_a_nested_error_event_on_a_foreground_stream_raises_from_the_event(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(_foreground("failed_with_nested_error_event"), headers={"x-request-id": "req_stream"})
    client = make_client(server, is_async=is_async)
    seen, _, error = await _read(client, entry, is_async)
    assert seen == ["response.created", "response.in_progress"]
    # The class and `retryable` follow the nested code; its `type` ("tokens") is kept, never used.
    assert isinstance(error, obe.BackgroundRateLimitError)
    assert (error.code, error.retryable, error.request_id, error.param) == (
        "rate_limit_exceeded",
        True,
        "req_stream",
        None,
    )
    assert error.message == "Rate limit reached for gpt-4.1-mini on tokens per min (TPM). Try again shortly."
    assert (error.error_type, error.details) == ("tokens", {"headers": RATE_LIMIT_HEADERS})
    # The SDK raised before the event was delivered: its number is read from what the server sent.
    assert (error.sequence_number, error.response) == (2, None)
    assert isinstance(error, RuntimeError)
    assert len(server.requests) == 1


@pytest.mark.parametrize("entry", POST_ENTRIES)
async def test_a_nested_error_with_an_unknown_code_gets_the_base_class(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(_foreground("nested_error_event_only"), headers={"x-request-id": "req_stream"})
    client = make_client(server, is_async=is_async)
    _, _, error = await _read(client, entry, is_async)
    # `too_many_requests` is no code of the registry: the status's base class, never retryable.
    assert type(error) is obe.BackgroundResponseFailedError
    assert (error.code, error.retryable, error.error_type, error.message) == (
        "too_many_requests",
        False,
        "too_many_requests",
        "Too Many Requests",
    )


async def test_a_nested_error_with_a_null_code_keeps_it_null(server: Server, is_async: bool) -> None:
    # The shape reported in openai/openai-dotnet #528: a `type` and no code.
    body = _head("error_event_only", 2).replace(b'"background":true', b'"background":false') + (
        b'event: error\ndata: {"type":"error","sequence_number":2,"error":{"type":"invalid_request_error",'
        b'"code":null,"message":"MCP server must contain \'search\' and \'fetch\' tools.","param":null}}\n\n'
    )
    server.sse(body)
    client = make_client(server, is_async=is_async)
    _, _, error = await _read(client, "create(stream=True)", is_async)
    assert type(error) is obe.BackgroundResponseFailedError
    assert (error.code, error.retryable, error.error_type) == (None, False, "invalid_request_error")
    assert str(error).startswith("no error code: MCP server must contain")


@pytest.mark.parametrize("recording", ["failed_with_error_event", "failed_with_nested_error_event"])
@pytest.mark.parametrize("entry", ["create(stream=True)", "retrieve(stream=True)", "stream(response_id=...)"])
async def test_an_in_band_error_after_a_resume_raises_the_typed_error(
    server: Server, is_async: bool, entry: str, recording: str
) -> None:
    body = stream_body(recording)
    server.then(dropped_stream(body, 2))  # created, in_progress, then the connection drops
    server.sse(stream_tail(body, 1), headers={"x-request-id": "req_resumed"})
    nested = recording == "failed_with_nested_error_event"
    if nested:
        server.json(_run("failed_rate_limit_exceeded", recording), headers={"x-request-id": "req_look_up"})
    client = make_client(server, is_async=is_async)
    seen, _, error = await _read(client, entry, is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert isinstance(error, obe.BackgroundServerError | obe.BackgroundRateLimitError)
    assert error.retryable
    assert error.request_id == ("req_look_up" if nested else "req_resumed")
    assert error.response is not None
    resumed = server.requests[1]
    assert (resumed.method, resumed.url.params.get("starting_after")) == ("GET", "1")
    assert not server.answers


# --- what is not an in-band error stays the SDK's own -----------------------------------------


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_an_http_error_before_the_stream_stays_the_sdk_s(
    server: Server, is_async: bool, entry: str
) -> None:
    body = {
        "error": {
            "message": "Rate limit reached",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    server.json(body, status=429)
    client = make_client(server, is_async=is_async, max_retries=0)
    _, _, error = await _read(client, entry, is_async)
    assert type(error) is openai.RateLimitError
    assert error.code == "rate_limit_exceeded"


@pytest.mark.parametrize(
    ("failure", "expected"),
    [("ConnectError", openai.APIConnectionError), ("ReadTimeout", openai.APITimeoutError)],
)
@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_transport_error_stays_the_sdk_s(
    server: Server, is_async: bool, entry: str, failure: str, expected: type[Exception]
) -> None:
    # The error of the HTTP library the installed SDK speaks (httpx2, or httpx for openai 2.x).
    library: Any = httpx2 if lanes.SDK_SPEAKS_HTTPX2 else httpx

    def fail(_request: httpx2.Request) -> httpx2.Response:
        raise getattr(library, failure)("the network failed")

    server.then(fail)
    client = make_client(server, is_async=is_async, max_retries=0)
    _, _, error = await _read(client, entry, is_async)
    assert type(error) is expected
    assert not isinstance(error, obe.BackgroundResponseError)


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_where_failures_do_not_raise_a_nested_error_stays_the_sdk_s_api_error(
    server: Server, is_async: bool, entry: str
) -> None:
    recording = "failed_with_nested_error_event"
    stock = openai.OpenAI(
        api_key="sk-test", base_url=BASE_URL, http_client=http_client(server.sse(stream_body(recording)))
    )
    _, _, stock_error = await _read(stock, entry, False)
    server.sse(stream_body(recording))
    client = make_client(server, is_async=is_async, raise_on=("incomplete",))
    seen, _, error = await _read(client, entry, is_async)
    assert seen == ["response.created", "response.in_progress"]
    assert type(error) is type(stock_error) is openai.APIError
    assert isinstance(error, openai.APIError) and isinstance(stock_error, openai.APIError)
    assert (error.code, error.message, error.body) == (
        stock_error.code,
        stock_error.message,
        stock_error.body,
    )
    assert _look_ups(server) == []


async def test_a_failed_look_up_after_an_error_event_raises_the_event_s_error(
    server: Server, is_async: bool
) -> None:
    server.sse(stream_body("nested_error_event_only"), headers={"x-request-id": "req_stream"})
    server.json(
        {"error": {"message": "boom", "type": "server_error", "param": None, "code": None}}, status=500
    )
    client = make_client(server, is_async=is_async, max_retries=0)
    _, _, error = await _read(client, "retrieve(stream=True)", is_async)
    # Nothing lost: the event's error, with the look-up's HTTP error as its cause.
    assert type(error) is obe.BackgroundResponseFailedError
    assert (error.code, error.request_id) == ("too_many_requests", "req_stream")
    assert isinstance(error.__cause__, openai.InternalServerError)


# --- a background stream that ends without a terminal event ----------------------------------

CUT = 6
"""Events of `completed.sse` before the cut: created, in_progress, an item and part added, two deltas."""


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_run_cancelled_mid_stream_raises_where_cancelled_raises(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(_head("completed", CUT))
    server.json(_run("cancelled", "completed"), headers={"x-request-id": "req_look_up"})
    client = make_client(server, is_async=is_async, raise_on=("failed", "cancelled"))
    seen, _, error = await _read(client, entry, is_async)
    assert len(seen) == CUT
    assert isinstance(error, obe.BackgroundResponseCancelledError)
    assert (error.response_id, error.request_id) == ("resp_bg_stream_completed_0001", "req_look_up")
    assert _look_ups(server) == ["/v1/responses/resp_bg_stream_completed_0001"]


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_run_cancelled_mid_stream_ends_as_the_stock_stream_does_otherwise(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(_head("completed", CUT))
    server.json(_run("cancelled", "completed"))
    client = make_client(server, is_async=is_async)
    seen, final, error = await _read(client, entry, is_async)
    stock = openai.OpenAI(
        api_key="sk-test", base_url=BASE_URL, http_client=http_client(Server().sse(_head("completed", CUT)))
    )
    stock_seen, _, stock_error = await _read(stock, entry, False)
    assert seen == stock_seen
    assert final is None
    # The stream helpers' `get_final_response()` raises what the stock helper raises.
    assert type(error) is type(stock_error)
    assert (error is None) == (not entry.startswith("stream("))
    assert not server.answers


@pytest.mark.parametrize("entry", STREAM_ENTRIES)
async def test_a_run_completed_after_the_stream_ended_finishes_with_its_response(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(_head("completed", 2))
    server.json(final_response("completed"))
    client = make_client(server, is_async=is_async)
    seen, final, error = await _read(client, entry, is_async)
    assert error is None
    assert seen == ["response.created", "response.in_progress", "response.completed"]
    if entry.startswith("stream("):
        assert final.status == "completed" and final.output_text == "Hello from the background."


@pytest.mark.parametrize(
    ("name", "raise_on", "expected"),
    [
        ("failed_server_error", ("failed",), obe.BackgroundServerError),
        ("incomplete_max_output_tokens", ("failed", "incomplete"), obe.BackgroundMaxOutputTokensError),
        ("incomplete_max_output_tokens", ("failed",), None),
    ],
)
async def test_a_run_failed_or_incomplete_after_the_stream_ended_follows_raise_on(
    server: Server, is_async: bool, name: str, raise_on: tuple[str, ...], expected: type[Exception] | None
) -> None:
    server.sse(_head("completed", CUT))
    server.json(_run(name, "completed"))
    client = make_client(server, is_async=is_async, raise_on=raise_on)
    seen, _, error = await _read(client, "retrieve(stream=True)", is_async)
    if expected is None:
        assert error is None
        assert seen[CUT:] == ["response.incomplete"]
    else:
        assert type(error) is expected
        assert len(seen) == CUT


@pytest.mark.parametrize("entry", ["create(stream=True)", "retrieve(stream=True)", "stream(response_id=...)"])
async def test_a_run_still_going_is_resumed_after_the_server_s_hint(
    server: Server, is_async: bool, slept: list[float], entry: str
) -> None:
    body = stream_body("completed")
    server.sse(_head("completed", CUT))
    server.json(_run("in_progress", "completed"), headers={"openai-poll-after-ms": "250"})
    server.sse(stream_tail(body, CUT - 1))
    client = make_client(server, is_async=is_async)
    seen, _, error = await _read(client, entry, is_async)
    assert error is None
    assert len(seen) == 13 and seen[-1] == "response.completed"
    assert 0.25 in slept
    resumed = server.requests[2]
    assert (resumed.method, resumed.url.params.get("stream"), resumed.url.params.get("starting_after")) == (
        "GET",
        "true",
        str(CUT - 1),
    )


async def test_a_run_still_going_when_no_resume_is_left_ends_as_the_stock_stream_does(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    server.sse(_head("completed", CUT))
    server.json(_run("in_progress", "completed"), headers={"openai-poll-after-ms": "0"})
    client = make_client(server, is_async=is_async, max_stream_resumes=0)
    seen, _, error = await _read(client, "retrieve(stream=True)", is_async)
    assert (len(seen), error) == (CUT, None)
    assert len(server.requests) == 2


@pytest.mark.parametrize("entry", POST_ENTRIES)
async def test_a_foreground_stream_that_ends_without_a_terminal_event_is_not_looked_up(
    server: Server, is_async: bool, entry: str
) -> None:
    server.sse(_head("completed", CUT).replace(b'"background":true', b'"background":false'))
    client = make_client(server, is_async=is_async, raise_on=("failed", "cancelled"))
    seen, _, error = await _read(client, entry, is_async)
    assert len(seen) == CUT
    assert error is None if entry == "create(stream=True)" else type(error) is RuntimeError
    assert len(server.requests) == 1


async def test_stream_with_starting_after_meets_both_cases(server: Server, is_async: bool) -> None:
    # `stream(response_id=..., starting_after=n)`: the SDK filters the first n events itself.
    recording = "nested_error_event_only"
    server.sse(stream_body(recording), headers={"x-request-id": "req_stream"})
    server.json(_run("failed_rate_limit_exceeded", recording))
    server.sse(_head("completed", CUT))
    server.json(_run("cancelled", "completed"))
    client = make_client(server, is_async=is_async, raise_on=("failed", "cancelled"))
    caught: list[BaseException] = []
    for _ in range(2):
        opened = client.responses.stream(response_id="resp_bg_stream", starting_after=0)
        with pytest.raises(obe.BackgroundResponseError) as raised:
            if is_async:
                async with opened as stream:
                    async for _event in stream:
                        pass
            else:
                with opened as stream:
                    for _event in stream:
                        pass
        caught.append(raised.value)
    assert [type(error) for error in caught] == [
        obe.BackgroundRateLimitError,
        obe.BackgroundResponseCancelledError,
    ]
    assert not server.answers
