"""Every `Response` the client receives from `create` and `parse` is classified, as `retrieve`'s is.

A foreground run can end `failed` or `incomplete` in a 200 body too. The plain,
raw and streaming-response paths raise the same error; `cancel` returns the
cancelled response as it is; the stock client is untouched.
"""

from __future__ import annotations

from typing import Any

import httpx2
import openai
import pytest
from pydantic import BaseModel

import openai_background_errors as obe

from .conftest import BASE_URL, Server, make_client, resolve, response_body


class Answer(BaseModel):
    answer: str


def _foreground(name: str) -> dict[str, Any]:
    return {**response_body(name), "background": False}


def _call(client: Any, method: str, path: str) -> Any:
    """`method` ("create" or "parse") through `path` ("plain", "raw" or "streaming"), unawaited."""
    arguments: dict[str, Any] = {"model": "gpt-4.1-mini", "input": "hi"}
    if method == "parse":
        arguments["text_format"] = Answer
    responses = client.responses
    if path == "raw":
        responses = responses.with_raw_response
    elif path == "streaming":
        responses = responses.with_streaming_response
    return getattr(responses, method)(**arguments)


async def _receive(client: Any, method: str, path: str) -> Any:
    called = _call(client, method, path)
    if path == "plain":
        return await resolve(called)
    if path == "raw":
        return await resolve((await resolve(called)).parse())
    if hasattr(called, "__aenter__"):
        async with called as response:
            return await response.parse()
    with called as response:
        return response.parse()


# `responses.parse` has no `.with_streaming_response` twin in the SDK.
CALLS = [
    *(("create", path) for path in ("plain", "raw", "streaming")),
    *(("parse", path) for path in ("plain", "raw")),
]


@pytest.mark.parametrize(("method", "path"), CALLS)
async def test_a_failed_foreground_run_raises_on_every_path(
    server: Server, is_async: bool, method: str, path: str
) -> None:
    body = _foreground("failed_server_error")
    server.json(body, headers={"x-request-id": "req_fg"})
    client = make_client(server, is_async=is_async)

    with pytest.raises(obe.BackgroundServerError) as caught:
        await _receive(client, method, path)

    error = caught.value
    assert (error.code, error.request_id, error.response_id) == ("server_error", "req_fg", body["id"])
    assert error.response is not None and error.response.background is False
    assert [(r.method, r.url.path) for r in server.requests] == [("POST", "/v1/responses")]


@pytest.mark.parametrize(("method", "path"), CALLS)
async def test_raise_on_governs_foreground_runs(
    server: Server, is_async: bool, method: str, path: str
) -> None:
    body = _foreground("incomplete_max_output_tokens")
    body["output"][0]["content"][0]["text"] = '{"answer": "cut"}'  # parse() reads it when nothing raises
    server.json(body).json(body)

    returned = await _receive(make_client(server, is_async=is_async), method, path)
    assert returned.status == "incomplete"

    opted_in = make_client(server, is_async=is_async, raise_on=("failed", "incomplete"))
    with pytest.raises(obe.BackgroundMaxOutputTokensError):
        await _receive(opted_in, method, path)


@pytest.mark.parametrize("path", ["plain", "raw"])
async def test_a_completed_parse_keeps_its_parsed_output(server: Server, is_async: bool, path: str) -> None:
    body = response_body("completed")
    body["output"][0]["content"][0]["text"] = '{"answer": "forty-two"}'
    server.json(body)
    parsed = await _receive(make_client(server, is_async=is_async), "parse", path)
    assert parsed.output_parsed == Answer(answer="forty-two")


@pytest.mark.parametrize("name", ["cancelled", "failed_server_error"])
async def test_cancel_returns_the_response_as_it_is(server: Server, is_async: bool, name: str) -> None:
    body = response_body(name)
    server.json(body).json(body).json(body)
    client = make_client(server, is_async=is_async, raise_on=("failed", "incomplete", "cancelled"))

    assert (await resolve(client.responses.cancel(body["id"]))).status == body["status"]
    raw = await resolve(client.responses.with_raw_response.cancel(body["id"]))
    assert raw.parse().status == body["status"]
    manager = client.responses.with_streaming_response.cancel(body["id"])
    if is_async:
        async with manager as response:
            assert (await response.parse()).status == body["status"]
    else:
        with manager as response:
            assert response.parse().status == body["status"]
    assert [r.url.path for r in server.requests] == [f"/v1/responses/{body['id']}/cancel"] * 3


@pytest.mark.parametrize("method", ["create", "parse"])
def test_the_stock_client_is_untouched(server: Server, method: str) -> None:
    body = _foreground("failed_server_error")
    server.json(body).json(body)
    # Building and using the project's client first must not change openai's own class.
    make_client(server, is_async=False)
    stock = openai.OpenAI(
        api_key="sk-test", base_url=BASE_URL, http_client=httpx2.Client(transport=server.transport)
    )
    assert _call(stock, method, "plain").status == "failed"
    assert stock.responses.retrieve(body["id"]).status == "failed"
