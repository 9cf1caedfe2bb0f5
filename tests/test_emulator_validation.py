"""Create requests the API refuses are refused by the emulator, in the API's 400 envelope.

A stock client sends each body; `param` names the culprit's path and `code` the API's code
for it. The two counting endpoints answer what the SDK's own types accept. Outside
tests/emulator (which pydantic 1 cannot import), so the pydantic-1 lane runs what applies there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import openai
import pytest

from .lanes import PYDANTIC_V1

MODEL = "gpt-4.1"
FINISHED = {"emulator.queue_ms": "0", "emulator.run_ms": "0"}


@pytest.fixture
def client(background_api: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=background_api, api_key="emulator") as stock:
        yield stock


# kwargs for `responses.create` -> (param, code, message); `extra_body` sends what the SDK would not.
REFUSED: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "unknown_parameter": (
        {"model": MODEL, "extra_body": {"modle": MODEL}},
        "modle",
        "unknown_parameter",
        "Unknown parameter: 'modle'.",
    ),
    "missing_model": (
        {"input": "hi"},
        "model",
        "missing_required_parameter",
        "Missing required parameter: 'model'.",
    ),
    "temperature_above_2": (
        {"model": MODEL, "temperature": 5},
        "temperature",
        "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead.",
    ),
    "top_logprobs_below_0": (
        {"model": MODEL, "top_logprobs": -1},
        "top_logprobs",
        "integer_below_min_value",
        "Invalid 'top_logprobs': integer below minimum value. Expected a value >= 0, but got -1 instead.",
    ),
    "background_without_store": (
        {"model": MODEL, "background": True, "store": False},
        "background",
        "invalid_value",
        "Background mode requires 'store' to be true: a background response must be stored.",
    ),
    "unknown_previous_response": (
        {"model": MODEL, "previous_response_id": "resp_never_made"},
        "previous_response_id",
        "previous_response_not_found",
        "Previous response with id 'resp_never_made' not found.",
    ),
}

# Judged through the SDK's types in depth, which needs pydantic 2 (tests/lanes.py).
REFUSED_IN_DEPTH: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "wrong_type": (
        {"model": MODEL, "temperature": "hot"},
        "temperature",
        "invalid_type",
        "Invalid type for 'temperature': expected a decimal, but got a string instead.",
    ),
    "unknown_tool_type": (
        {"model": MODEL, "tools": [{"type": "bogus"}]},
        "tools[0].type",
        "invalid_value",
        "Invalid value: 'bogus'. Supported values are: ",
    ),
    "tool_without_a_type": (
        {"model": MODEL, "tools": [{"name": "weather", "parameters": {}, "strict": True}]},
        "tools[0].type",
        "missing_required_parameter",
        "Missing required parameter: 'tools[0].type'.",
    ),
    "unknown_key_in_an_input_item": (
        {"model": MODEL, "input": [{"role": "user", "content": "hi", "bogus": 1}]},
        "input[0].bogus",
        "unknown_parameter",
        "Unknown parameter: 'input[0].bogus'.",
    ),
    "wrong_role": (
        {"model": MODEL, "input": [{"role": "robot", "content": "hi"}]},
        "input[0].role",
        "invalid_value",
        "Invalid value: 'robot'. Supported values are: ",
    ),
    "stream_not_a_boolean": (
        {"model": MODEL, "extra_body": {"stream": "yes"}},
        "stream",
        "invalid_type",
        "Invalid type for 'stream': expected a boolean, but got a string instead.",
    ),
}


def _refused(client: openai.OpenAI, kwargs: dict[str, Any]) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(**kwargs)
    assert caught.value.status_code == 400
    return caught.value


def _error(refused: openai.BadRequestError) -> dict[str, Any]:
    """The ``error`` object of the envelope (the SDK's ``body``)."""
    body: object = refused.body
    assert isinstance(body, dict)
    return cast("dict[str, Any]", body)


@pytest.mark.parametrize("case", REFUSED)
def test_a_request_the_api_refuses_is_a_400(client: openai.OpenAI, case: str) -> None:
    kwargs, param, code, message = REFUSED[case]
    error = _error(_refused(client, kwargs))
    assert error == {"message": message, "type": "invalid_request_error", "param": param, "code": code}


@pytest.mark.parametrize("case", REFUSED_IN_DEPTH)
def test_the_sdks_types_judge_the_body_in_depth(client: openai.OpenAI, case: str) -> None:
    kwargs, param, code, message = REFUSED_IN_DEPTH[case]
    error = _error(_refused(client, kwargs))
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)
    assert error["message"].startswith(message)


def test_an_unknown_tool_type_lists_the_ones_the_sdk_declares(client: openai.OpenAI) -> None:
    message: str = _error(_refused(client, {"model": MODEL, "tools": [{"type": "bogus"}]}))["message"]
    assert "'function'" in message and "'file_search'" in message and message.endswith(".")


def test_a_request_using_many_parameters_is_accepted(client: openai.OpenAI) -> None:
    previous = client.responses.create(model=MODEL, input="first", background=True, metadata=FINISHED)
    response = client.responses.create(
        model=MODEL,
        input=[
            {"role": "developer", "content": "Answer briefly."},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
        ],
        instructions="Be kind.",
        previous_response_id=previous.id,
        background=True,
        store=True,
        temperature=0.5,
        top_p=1,
        max_output_tokens=64,
        parallel_tool_calls=False,
        tool_choice="auto",
        tools=[
            {
                "type": "function",
                "name": "weather",
                "parameters": {"type": "object", "properties": {}},
                "strict": True,
            }
        ],
        text={"format": {"type": "text"}},
        truncation="disabled",
        metadata=FINISHED,
    )
    assert response.previous_response_id == previous.id
    assert response.temperature == 0.5


def test_a_field_the_sdk_requires_but_lets_be_null_may_be_left_out(client: openai.OpenAI) -> None:
    # A function tool as langchain-openai's bind_tools sends it: no `strict`.
    tool: Any = {"type": "function", "name": "weather", "parameters": {"type": "object", "properties": {}}}
    response = client.responses.create(model=MODEL, input="hi", tools=[tool], metadata=FINISHED)
    assert response.tools[0].type == "function"
    if PYDANTIC_V1:
        return  # there only the top-level keys are judged (docs/emulator.md)
    # Present, it is still judged.
    error = _error(_refused(client, {"model": MODEL, "input": "hi", "tools": [{**tool, "strict": "yes"}]}))
    assert (error["param"], error["code"]) == ("tools[0].strict", "invalid_type")


def test_a_deleted_response_is_no_previous_response(client: openai.OpenAI) -> None:
    previous = client.responses.create(model=MODEL, input="first", background=True, metadata=FINISHED)
    client.responses.delete(previous.id)
    error = _error(_refused(client, {"model": MODEL, "previous_response_id": previous.id}))
    assert error["code"] == "previous_response_not_found"


def test_input_tokens_counts_four_characters_a_token(client: openai.OpenAI) -> None:
    counted = client.responses.input_tokens.count(model=MODEL, instructions="abcd", input="abcdefghi")
    assert (counted.object, counted.input_tokens) == ("response.input_tokens", 4)


def test_input_tokens_judges_its_body_too(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.input_tokens.count(model=MODEL, extra_body={"modle": MODEL})
    assert _error(caught.value)["param"] == "modle"


def test_compact_answers_one_compaction_item(client: openai.OpenAI) -> None:
    compacted = client.responses.compact(model="gpt-5.4", input="a long conversation")
    assert compacted.object == "response.compaction"
    assert [item.type for item in compacted.output] == ["compaction"]
