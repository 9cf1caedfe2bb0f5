"""Structured outputs for background runs: `poll` and `create_and_poll` with `text_format=`, sync and async.

What `responses.parse` returns for a foreground run (a `ParsedResponse` with
`output_parsed`), for a run polled to its end (openai-python #2830).
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.responses import ParsedResponse, Response
from pydantic import BaseModel, ValidationError
from typing_extensions import assert_type

import openai_background_errors as obe

from .conftest import BASE_URL, Server, http_client, make_client, resolve, response_body

RESPONSE_ID = "resp_bg_structured"


class Verdict(BaseModel):
    label: str
    score: int


def _answering(text: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {**response_body("completed"), "id": RESPONSE_ID, **changes}
    body["output"][0]["content"][0]["text"] = text
    return body


def _script(server: Server, *terminal: dict[str, Any]) -> Server:
    queued = {**response_body("queued"), "id": RESPONSE_ID}
    server.json(queued, headers={"openai-poll-after-ms": "0"})  # the create
    server.json({**response_body("in_progress"), "id": RESPONSE_ID}, headers={"openai-poll-after-ms": "0"})
    for body in terminal:
        server.json(body)
    return server


async def test_poll_with_text_format_returns_the_parsed_response(server: Server, is_async: bool) -> None:
    _script(server, _answering('{"label": "spam", "score": 97}'))
    server.answers.pop(0)  # no create: poll an existing response
    client = make_client(server, is_async=is_async)

    parsed: ParsedResponse[Verdict] = await resolve(client.responses.poll(RESPONSE_ID, text_format=Verdict))

    assert isinstance(parsed, ParsedResponse)
    assert parsed.output_parsed == Verdict(label="spam", score=97)
    assert parsed.id == RESPONSE_ID
    assert parsed.output_text == '{"label": "spam", "score": 97}'


async def test_create_and_poll_asks_for_the_schema_and_parses_the_answer(
    server: Server, is_async: bool
) -> None:
    _script(server, _answering('{"label": "ham", "score": 3}'))
    client = make_client(server, is_async=is_async)

    parsed = await resolve(
        client.responses.create_and_poll(model="gpt-4.1-mini", input="classify", text_format=Verdict)
    )

    assert parsed.output_parsed == Verdict(label="ham", score=3)
    create = json.loads(server.requests[0].content)
    assert create["background"] is True
    assert create["text"]["format"]["type"] == "json_schema"
    assert create["text"]["format"]["name"] == "Verdict"
    assert set(create["text"]["format"]["schema"]["properties"]) == {"label", "score"}
    assert [r.method for r in server.requests] == ["POST", "GET", "GET"]


async def test_a_failed_run_still_raises_the_typed_error(server: Server, is_async: bool) -> None:
    _script(server, {**response_body("failed_rate_limit_exceeded"), "id": RESPONSE_ID})
    client = make_client(server, is_async=is_async)
    with pytest.raises(obe.BackgroundRateLimitError) as caught:
        await resolve(client.responses.create_and_poll(model="gpt-4.1-mini", input="x", text_format=Verdict))
    assert caught.value.response_id == RESPONSE_ID


async def test_without_text_format_the_response_is_the_plain_one(server: Server, is_async: bool) -> None:
    _script(server, _answering('{"label": "ham", "score": 3}'))
    client = make_client(server, is_async=is_async)
    response = await resolve(client.responses.create_and_poll(model="gpt-4.1-mini", input="x"))
    assert type(response) is Response
    assert "text" not in json.loads(server.requests[0].content)


async def test_strict_function_tools_get_their_arguments_parsed(server: Server, is_async: bool) -> None:
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "rate",
        "arguments": '{"score": 5}',
        "status": "completed",
    }
    _script(
        server,
        _answering('{"label": "ham", "score": 3}', output=[*response_body("completed")["output"], call]),
    )
    client = make_client(server, is_async=is_async)
    tool = {
        "type": "function",
        "name": "rate",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {"score": {"type": "integer"}},
            "required": ["score"],
            "additionalProperties": False,
        },
    }

    parsed = await resolve(
        client.responses.create_and_poll(
            model="gpt-4.1-mini", input="x", text_format=Verdict, tools=iter([tool])
        )
    )

    assert [item.parsed_arguments for item in parsed.output if item.type == "function_call"] == [{"score": 5}]
    assert json.loads(server.requests[0].content)["tools"][0]["name"] == "rate"  # a one-shot iterable is sent


def test_the_overloads_give_the_parsed_type(server: Server) -> None:
    _script(server, _answering('{"label": "a", "score": 1}'), _answering('{"label": "a", "score": 1}'))
    server.answers.pop(0)
    client = make_client(server, is_async=False)
    typed: obe.OpenAI = client
    parsed = typed.responses.poll(RESPONSE_ID, text_format=Verdict)
    assert_type(parsed, ParsedResponse[Verdict])
    plain = typed.responses.poll(RESPONSE_ID)
    assert_type(plain, Response)
    assert parsed.output_parsed is not None and parsed.output_parsed.score == 1


def test_a_malformed_answer_raises_what_responses_parse_raises(server: Server) -> None:
    body = _answering("not json", background=False)
    server.json(body)
    stock = openai.OpenAI(api_key="sk-test", base_url=BASE_URL, http_client=http_client(server))
    with pytest.raises(ValidationError) as foreground:
        stock.responses.parse(model="gpt-4.1-mini", input="x", text_format=Verdict)

    _script(server, _answering("not json"))
    server.answers.pop(0)
    with pytest.raises(ValidationError) as polled:
        make_client(server, is_async=False).responses.poll(RESPONSE_ID, text_format=Verdict)

    assert type(polled.value) is type(foreground.value)
    assert not isinstance(polled.value, obe.BackgroundResponseError)
