"""`wait_for_background=True`: a non-streaming `create`/`parse` with `background=True` returns the finished run.

Sync and async, over the scripted transport with the sleep faked. The waiting is `poll`'s own:
the same headers, the same waits, the same typed errors, and a cancel on the server when the
wait is interrupted.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import openai
import pytest
from openai.types.responses import ParsedResponse, Response
from pydantic import BaseModel

import openai_background_errors as obe

from .conftest import BASE_URL, Server, http_client, make_client, resolve, response_body, stream_body

RESPONSE_ID = "resp_bg_wait"
RUN_PATH = f"/v1/responses/{RESPONSE_ID}"


class Verdict(BaseModel):
    label: str
    score: int


def _body(name: str, **changes: Any) -> dict[str, Any]:
    return {**response_body(name), "id": RESPONSE_ID, **changes}


def _answering(text: str) -> dict[str, Any]:
    body = _body("completed")
    body["output"][0]["content"][0]["text"] = text
    return body


def _script(server: Server, *steps: tuple[dict[str, Any], int | None]) -> Server:
    for body, hint in steps:
        server.json(body, headers={} if hint is None else {"openai-poll-after-ms": str(hint)})
    return server


def _requests(server: Server) -> list[tuple[str, str]]:
    return [(request.method, request.url.path) for request in server.requests]


async def _create(client: Any, **params: Any) -> Any:
    return await resolve(client.responses.create(model="gpt-4.1-mini", input="hi", **params))


async def test_create_in_background_returns_the_finished_run(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, (_body("queued"), 250), (_body("in_progress"), 1500), (_body("completed"), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)

    response = await _create(client, background=True)

    assert isinstance(response, Response)
    assert (response.id, response.status) == (RESPONSE_ID, "completed")
    assert response.output_text == "Hello from the background."
    assert _requests(server) == [("POST", "/v1/responses"), ("GET", RUN_PATH), ("GET", RUN_PATH)]
    # poll's conventions: the server's hints, the poll-helper header on every GET.
    assert slept == [0.25, 1.5]
    assert all(request.headers["X-Stainless-Poll-Helper"] == "true" for request in server.requests[1:])


async def test_a_failed_run_raises_the_typed_error_with_the_polls_request_id(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, (_body("queued"), 0), (_body("failed_rate_limit_exceeded"), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)

    with pytest.raises(obe.BackgroundRateLimitError) as caught:
        await _create(client, background=True)

    assert (caught.value.response_id, caught.value.code) == (RESPONSE_ID, "rate_limit_exceeded")
    assert caught.value.request_id == "req_test_2"
    assert len(server.requests) == 2


@pytest.mark.parametrize(("raise_on", "raises"), [(("failed",), False), (("failed", "incomplete"), True)])
async def test_raise_on_decides_as_for_poll(
    server: Server, is_async: bool, slept: list[float], raise_on: tuple[str, ...], raises: bool
) -> None:
    _script(server, (_body("queued"), 0), (_body("incomplete_max_output_tokens"), None))
    client = make_client(server, is_async=is_async, wait_for_background=True, raise_on=raise_on)
    if raises:
        with pytest.raises(obe.BackgroundMaxOutputTokensError):
            await _create(client, background=True)
    else:
        assert (await _create(client, background=True)).status == "incomplete"


async def test_parse_in_background_returns_the_parsed_finished_run(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, (_body("queued"), 0), (_answering('{"label": "spam", "score": 97}'), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)

    parsed: ParsedResponse[Verdict] = await resolve(
        client.responses.parse(model="gpt-4.1-mini", input="classify", text_format=Verdict, background=True)
    )

    assert parsed.output_parsed == Verdict(label="spam", score=97)
    assert json.loads(server.requests[0].content)["text"]["format"]["name"] == "Verdict"
    assert _requests(server)[1:] == [("GET", RUN_PATH)]


async def test_a_run_asked_for_through_extra_body_is_waited_for(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, (_body("queued"), 0), (_body("completed"), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)
    assert (await _create(client, extra_body={"background": True})).status == "completed"


@pytest.mark.parametrize("options", [{}, {"wait_for_background": False}])
async def test_off_by_default_create_returns_the_queued_run(
    server: Server, is_async: bool, options: dict[str, Any]
) -> None:
    _script(server, (_body("queued"), 0))
    client = make_client(server, is_async=is_async, **options)
    assert (await _create(client, background=True)).status == "queued"
    assert len(server.requests) == 1


async def test_foreground_calls_and_retrieve_are_unchanged(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    # A foreground answer that says queued (no `background`) is returned as it came; retrieve too.
    _script(server, (_body("queued", background=False), 0), (_body("queued"), 0))
    client = make_client(server, is_async=is_async, wait_for_background=True)

    assert (await _create(client)).status == "queued"
    assert (await resolve(client.responses.retrieve(RESPONSE_ID))).status == "queued"
    assert len(server.requests) == 2


async def test_streaming_create_is_unchanged(server: Server, is_async: bool) -> None:
    server.sse(stream_body("completed"))
    client = make_client(server, is_async=is_async, wait_for_background=True)

    stream = await _create(client, background=True, stream=True)
    events = [event async for event in stream] if is_async else list(stream)

    assert events[-1].type == "response.completed"
    assert len(server.requests) == 1


async def test_the_raw_response_is_the_creates_exchange_parsing_to_the_finished_run(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, (_body("queued"), 0), (_answering('{"label": "ham", "score": 3}'), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)

    raw = await resolve(
        client.responses.with_raw_response.parse(
            model="gpt-4.1-mini", input="x", text_format=Verdict, background=True
        )
    )

    assert raw.request_id == "req_test_1"  # the create's exchange
    assert raw.http_response.request.method == "POST"
    parsed: ParsedResponse[Verdict] = raw.parse()
    assert parsed.status == "completed"
    assert parsed.output_parsed == Verdict(label="ham", score=3)
    assert raw.parse(to=Response).status == "queued"  # the create's own body, when asked for
    assert _requests(server) == [("POST", "/v1/responses"), ("GET", RUN_PATH)]


async def test_the_raw_response_of_a_failed_run_raises_from_the_call(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    _script(server, (_body("queued"), 0), (_body("failed_server_error"), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)
    with pytest.raises(obe.BackgroundServerError):
        await resolve(
            client.responses.with_raw_response.create(model="gpt-4.1-mini", input="hi", background=True)
        )


async def test_a_foreground_failure_through_the_raw_response_raises_where_it_is_parsed(
    server: Server, is_async: bool
) -> None:
    # As without waiting: the exchange is handed back, and its `.parse()` raises.
    _script(server, (_body("failed_server_error", background=False), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)
    raw = await resolve(client.responses.with_raw_response.create(model="gpt-4.1-mini", input="hi"))
    with pytest.raises(obe.BackgroundServerError):
        raw.parse()
    assert len(server.requests) == 1


async def test_the_streaming_response_path_is_the_creates_exchange_as_it_came(
    server: Server, is_async: bool
) -> None:
    # An open HTTP response the caller reads: waiting would not be one exchange.
    _script(server, (_body("queued"), 0))
    client = make_client(server, is_async=is_async, wait_for_background=True)
    if is_async:
        async with client.responses.with_streaming_response.create(
            model="gpt-4.1-mini", input="hi", background=True
        ) as streamed:
            assert (await streamed.parse()).status == "queued"
    else:
        with client.responses.with_streaming_response.create(
            model="gpt-4.1-mini", input="hi", background=True
        ) as streamed:
            assert streamed.parse().status == "queued"
    assert len(server.requests) == 1


def test_keyboard_interrupt_cancels_the_run_then_propagates(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", interrupted)
    _script(server, (_body("queued"), 1000), (_body("cancelled"), None))
    client = make_client(server, is_async=False, wait_for_background=True)

    with pytest.raises(KeyboardInterrupt):  # in the wait the create's answer asked for
        client.responses.create(model="gpt-4.1-mini", input="hi", background=True)

    assert _requests(server) == [("POST", "/v1/responses"), ("POST", f"{RUN_PATH}/cancel")]


def test_a_failed_cancel_is_logged_and_the_interrupt_still_propagates(
    server: Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", interrupted)
    _script(server, (_body("queued"), 1000))
    server.json({"error": {"message": "no", "type": "invalid_request_error", "code": None}}, status=400)
    client = make_client(server, is_async=False, wait_for_background=True)

    with pytest.raises(KeyboardInterrupt):
        client.responses.create(model="gpt-4.1-mini", input="hi", background=True)
    assert f"Could not cancel background response {RESPONSE_ID!r}" in caplog.text


async def test_task_cancellation_cancels_the_run_then_propagates(server: Server) -> None:
    _script(server, (_body("queued"), 0), (_body("in_progress"), 60_000), (_body("cancelled"), None))
    client = make_client(server, is_async=True, wait_for_background=True)

    task = asyncio.create_task(client.responses.create(model="gpt-4.1-mini", input="hi", background=True))
    while len(server.requests) < 2:
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert _requests(server) == [
        ("POST", "/v1/responses"),
        ("GET", RUN_PATH),
        ("POST", f"{RUN_PATH}/cancel"),
    ]


@pytest.mark.parametrize("is_async_client", [False, True])
def test_the_setting_is_kept_by_copy_with_options_and_enable(is_async_client: bool) -> None:
    server = Server()
    cls = obe.AsyncOpenAI if is_async_client else obe.OpenAI
    client = cls(
        api_key="sk-test",
        base_url=BASE_URL,
        http_client=http_client(server, is_async=is_async_client),
        wait_for_background=True,
    )
    assert client.wait_for_background is True
    assert client.copy(timeout=5).wait_for_background is True
    assert client.with_options(wait_for_background=False).wait_for_background is False
    stock_cls = openai.AsyncOpenAI if is_async_client else openai.OpenAI
    stock = stock_cls(api_key="sk-test", base_url=BASE_URL)
    assert obe.enable(stock).wait_for_background is False
    assert obe.enable(stock, wait_for_background=True).wait_for_background is True
    assert obe.enable(client).wait_for_background is False  # enable() sets what it is given
    assert cls(api_key="sk-test", base_url=BASE_URL).wait_for_background is False


def test_a_setting_that_is_not_a_bool_is_refused() -> None:
    with pytest.raises(ValueError, match="wait_for_background"):
        obe.OpenAI(api_key="sk-test", wait_for_background="yes")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


async def test_create_and_poll_on_a_waiting_client_keeps_its_own_interval_and_bound(
    server: Server, is_async: bool, slept: list[float]
) -> None:
    # The create inside create_and_poll is openai's own: it does not wait without this call's
    # poll_interval_ms and max_wait_seconds.
    _script(server, (_body("queued"), 250), (_body("in_progress"), 1500), (_body("completed"), None))
    client = make_client(server, is_async=is_async, wait_for_background=True)

    response = await resolve(
        client.responses.create_and_poll(model="gpt-4.1-mini", input="hi", poll_interval_ms=40)
    )

    assert response.status == "completed"
    assert _requests(server) == [("POST", "/v1/responses"), ("GET", RUN_PATH), ("GET", RUN_PATH)]
    assert slept == [0.04]  # poll asks at once, then every 40 ms
    assert all(request.headers["X-Stainless-Custom-Poll-Interval"] == "40" for request in server.requests[1:])
