"""Secrets: no str, repr, log record or pickled error carries the key, the auth header or the content.

A client with a sentinel API key sends a sentinel `Authorization` header on one
call; the server answers with failed and incomplete responses whose input-side
fields (`instructions`, `prompt`, `metadata`, `user`) and output hold sentinel
text. Every error raised from retrieve, poll and the streams, sync and async, is
rendered with `str` and `repr`, pickled, and every log record emitted meanwhile
(at DEBUG, every logger) is formatted; none may contain a sentinel.
"""

from __future__ import annotations

import copy
import logging
import pickle
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import openai_background_errors as obe

from .conftest import Server, make_client, response_body, stream_body

API_KEY = "sk-SENTINEL-api-key-7f3a"
AUTH_HEADER = "Bearer SENTINEL-auth-header-91c2"
INPUT = "SENTINEL-customer-input-5d1e"
OUTPUT = "SENTINEL-model-output-0b8f"
SENTINELS = (API_KEY, AUTH_HEADER.split()[1], INPUT, OUTPUT)


def _with_content(body: dict[str, Any]) -> dict[str, Any]:
    return {
        **body,
        "instructions": f"system: {INPUT}",
        "prompt": {"id": "pmpt_1", "variables": {"customer": INPUT}},
        "metadata": {"note": INPUT},
        "user": INPUT,
        "output": [
            {
                "id": "msg_1",
                "type": "message",
                "status": "incomplete",
                "role": "assistant",
                "content": [{"type": "output_text", "annotations": [], "text": f"partial {OUTPUT}"}],
            }
        ],
    }


def _stream_with_content(name: str) -> bytes:
    return stream_body(name).replace(b'"output":[]', f'"output":[],"instructions":"{INPUT}"'.encode())


def assert_clean(text: str, where: str) -> None:
    for sentinel in SENTINELS:
        assert sentinel not in text, f"{where} contains {sentinel!r}"


def assert_error_clean(error: obe.BackgroundResponseError) -> None:
    assert_clean(str(error), "str")
    assert_clean(repr(error), "repr")
    assert_clean(repr(error.args), "args")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        pickled = pickle.dumps(error, protocol=protocol)
        assert_clean(pickled.decode("latin-1"), f"pickle protocol {protocol}")
        # The unpickled error still classifies: same class and fields, the response without content.
        clone = pickle.loads(pickled)
        assert type(clone) is type(error)
        assert (clone.code, clone.message, clone.response_id, clone.request_id) == (
            error.code,
            error.message,
            error.response_id,
            error.request_id,
        )
        if error.response is not None:
            assert clone.response is not None
            assert (clone.response.status, clone.response.error) == (
                error.response.status,
                error.response.error,
            )
            assert type(obe.error_for(clone.response)) is type(error)


async def _errors(server: Server, is_async: bool) -> list[obe.BackgroundResponseError]:
    client = make_client(server, is_async=is_async, api_key=API_KEY, raise_on=("failed", "incomplete"))
    caught: list[obe.BackgroundResponseError] = []
    headers = {"Authorization": AUTH_HEADER}

    async def call(value: Any) -> Any:
        return await value if hasattr(value, "__await__") else value

    async def consume(opened: Any) -> None:
        stream = await call(opened)
        if is_async:
            async for _ in stream:
                pass
        else:
            for _ in stream:
                pass

    attempts: list[Callable[[], Awaitable[Any]]] = [
        lambda: call(client.responses.retrieve("resp_1", extra_headers=headers)),
        lambda: call(client.responses.retrieve("resp_2")),
        lambda: call(client.responses.poll("resp_3")),
        lambda: consume(client.responses.retrieve("resp_4", stream=True, extra_headers=headers)),
        lambda: consume(client.responses.retrieve("resp_5", stream=True)),
        lambda: consume(client.responses.retrieve("resp_6", stream=True)),
        lambda: consume(client.responses.create(model="m", input="hi", stream=True)),
    ]
    for attempt in attempts:
        with pytest.raises(obe.BackgroundResponseError) as raised:
            await attempt()
        caught.append(raised.value)
    await call(client.close())
    return caught


async def test_no_sentinel_in_any_rendering_of_the_errors(
    server: Server, is_async: bool, caplog: pytest.LogCaptureFixture
) -> None:
    server.json(_with_content(response_body("failed_server_error")))
    server.json(_with_content(response_body("incomplete_max_output_tokens")))
    server.json(_with_content(response_body("failed_misalignment_policy_violation")))
    server.sse(_stream_with_content("failed_with_error_event"))
    server.sse(_stream_with_content("error_event_only"))
    # That background stream ends after its `error` event: the run is looked up, and its body decides.
    server.json(_with_content(response_body("failed_invalid_prompt")))
    server.sse(_stream_with_content("incomplete"))
    # A foreground stream ending so raises from the event alone.
    server.sse(_stream_with_content("error_event_only").replace(b'"background":true', b'"background":false'))

    with caplog.at_level(logging.DEBUG):
        errors = await _errors(server, is_async)

    assert [type(error).__name__ for error in errors] == [
        "BackgroundServerError",
        "BackgroundMaxOutputTokensError",
        "BackgroundPolicyViolationError",
        "BackgroundServerError",
        "BackgroundInvalidPromptError",
        "BackgroundMaxOutputTokensError",
        "BackgroundInvalidPromptError",
    ]
    # The test can fail: the sentinels did reach the client, and sit in the errors' responses.
    assert server.requests[0].headers["Authorization"] == AUTH_HEADER
    assert server.requests[1].headers["Authorization"] == f"Bearer {API_KEY}"
    assert errors[1].response is not None and OUTPUT in errors[1].response.output_text
    assert errors[1].response.instructions == f"system: {INPUT}"
    assert (errors[4].response is not None, errors[6].response) == (True, None)

    for error in errors:
        assert_error_clean(error)
    assert caplog.records, "nothing was logged at DEBUG: the log check would prove nothing"
    for record in caplog.records:
        assert_clean(record.getMessage(), f"log record of {record.name}")
        assert_clean(repr(record.args), f"log record args of {record.name}")


def test_copies_in_process_keep_the_whole_response() -> None:
    server = Server().json(_with_content(response_body("incomplete_max_output_tokens")))
    client = make_client(server, is_async=False, api_key=API_KEY, raise_on=("incomplete",))
    with pytest.raises(obe.BackgroundMaxOutputTokensError) as raised:
        client.responses.retrieve("resp_1")
    error = raised.value
    for clone in (copy.copy(error), copy.deepcopy(error)):
        assert clone.response == error.response
        assert clone.response is not None and OUTPUT in clone.response.output_text
