"""Delete, input items, scripted answer text, the stream window and unimplemented endpoints.

Everything goes through the stock SDK's own calls (``responses.delete``,
``responses.input_items.list``, ``responses.parse``), sync and async, and the
bodies are checked against the SDK's models.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pydantic
import pytest
from openai.types.responses import ResponseItemList

from openai_background_errors.emulator import create_app, run_in_thread

from .conftest import job_ids, script

MIXED_INPUT: list[Any] = [
    {"role": "developer", "content": "Answer briefly."},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
    {"role": "assistant", "content": "Where?"},
    {"type": "function_call_output", "call_id": "call_1", "output": "Oslo"},
]
STREAM_EXPIRED = "This response can no longer be streamed because it is more than 5 minutes old."


class City(pydantic.BaseModel):
    name: str
    population: int


def raw_json(response: httpx2.Response | Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return body


# --- DELETE /v1/responses/{id} ---------------------------------------------------------------


def test_delete_answers_the_deleted_object_and_forgets_the_id(
    client: openai.OpenAI, background_api: str
) -> None:
    created = client.responses.create(model="gpt-test", input="hi", background=True, metadata=script())
    kept = client.responses.create(model="gpt-test", input="hi", background=True, metadata=script())
    raw = client.responses.with_raw_response.delete(created.id)
    assert raw.http_response.status_code == 200
    assert raw.headers["x-request-id"].startswith("req_emu_")
    assert raw.http_response.json() == {"id": created.id, "object": "response", "deleted": True}
    assert raw.parse() is None  # the SDK's return type for delete

    for forgotten in (
        lambda: client.responses.retrieve(created.id),
        lambda: client.responses.delete(created.id),
        lambda: client.responses.input_items.list(created.id),
        lambda: client.responses.cancel(created.id),
    ):
        with pytest.raises(openai.NotFoundError, match=created.id):
            forgotten()
    assert job_ids(background_api) == [kept.id]


async def test_async_delete(async_client: openai.AsyncOpenAI) -> None:
    created = await async_client.responses.create(
        model="gpt-test", input="hi", background=True, metadata=script()
    )
    raw = await async_client.responses.with_raw_response.delete(created.id)
    assert raw.http_response.json() == {"id": created.id, "object": "response", "deleted": True}
    with pytest.raises(openai.NotFoundError, match=created.id):
        await async_client.responses.retrieve(created.id)


def test_a_stream_already_following_a_deleted_job_runs_to_its_end(client: openai.OpenAI) -> None:
    with client.responses.create(
        model="gpt-test", input="hi", background=True, stream=True, metadata=script(run_ms="200")
    ) as stream:
        events = iter(stream)
        first = next(events)
        assert first.type == "response.created"
        client.responses.delete(first.response.id)
        rest = [event.type for event in events]
    assert rest[-1] == "response.completed"


# --- GET /v1/responses/{id}/input_items ------------------------------------------------------


def test_a_string_input_is_one_user_message(client: openai.OpenAI, background_api: str) -> None:
    created = client.responses.create(model="gpt-test", input="hi there", background=True, metadata=script())
    body = ResponseItemList.model_validate(
        raw_json(httpx2.get(f"{background_api}/responses/{created.id}/input_items"))
    )
    assert body.object == "list"
    assert body.has_more is False
    [item] = body.data
    assert item.type == "message"
    assert item.role == "user"
    assert item.id.startswith("msg_emu_")
    assert body.first_id == body.last_id == item.id
    assert item.to_dict()["content"] == [{"type": "input_text", "text": "hi there"}]


def test_items_keep_their_order_and_get_ids(client: openai.OpenAI, background_api: str) -> None:
    created = client.responses.create(model="gpt-test", input=MIXED_INPUT, background=True, metadata=script())
    asc = ResponseItemList.model_validate(
        raw_json(httpx2.get(f"{background_api}/responses/{created.id}/input_items?order=asc"))
    )
    assert [(item.type, getattr(item, "role", None)) for item in asc.data] == [
        ("message", "developer"),
        ("message", "user"),
        ("message", "assistant"),
        ("function_call_output", None),
    ]
    ids = [item.id for item in asc.data]
    assert len(set(ids)) == 4
    assert ids[3].startswith("item_emu_")
    assert asc.data[2].to_dict()["content"] == [
        {"type": "output_text", "text": "Where?", "annotations": [], "logprobs": []}
    ]
    assert asc.data[3].to_dict()["output"] == "Oslo"
    # The API's default order is newest first.
    default = client.responses.input_items.list(created.id)
    assert [item.id for item in default.data] == ids[::-1]


def test_pages_follow_the_sdk_cursor(client: openai.OpenAI) -> None:
    created = client.responses.create(model="gpt-test", input=MIXED_INPUT, background=True, metadata=script())
    ordered = [item.id for item in client.responses.input_items.list(created.id, order="asc")]
    first = client.responses.input_items.list(created.id, order="asc", limit=3)
    assert [item.id for item in first.data] == ordered[:3]
    assert first.has_more is True
    assert first.has_next_page()
    last = first.get_next_page()
    assert [item.id for item in last.data] == ordered[3:]
    assert last.has_more is False
    paged = [item.id for item in client.responses.input_items.list(created.id, order="asc", limit=1)]
    assert paged == ordered


async def test_async_input_items(async_client: openai.AsyncOpenAI) -> None:
    created = await async_client.responses.create(
        model="gpt-test", input=MIXED_INPUT, background=True, metadata=script()
    )
    paged = [item.id async for item in async_client.responses.input_items.list(created.id, limit=1)]
    whole = await async_client.responses.input_items.list(created.id, order="asc")
    assert paged == [item.id for item in whole.data][::-1]
    assert len(paged) == 4


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("order=up", "order"),
        ("after=nope", "after"),
    ],
)
def test_bad_list_parameters_are_400s(
    client: openai.OpenAI, background_api: str, query: str, param: str
) -> None:
    created = client.responses.create(model="gpt-test", input="hi", background=True, metadata=script())
    answer = httpx2.get(f"{background_api}/responses/{created.id}/input_items?{query}")
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == param


@pytest.mark.parametrize(
    ("bad_input", "param"),
    [
        (42, "input"),
        (["text"], "input[0]"),
        ([{"role": "user", "content": "ok"}, {"role": "user", "content": 3}], "input[1].content"),
        ([{"role": "robot", "content": "hi"}], "input[0].role"),
        ([{"type": 7}], "input[0].type"),
    ],
)
def test_malformed_input_is_a_400_naming_it(client: openai.OpenAI, bad_input: Any, param: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-test", input=bad_input, background=True, metadata=script())
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["param"] == param  # pyright: ignore[reportUnknownMemberType]


# --- emulator.output_text --------------------------------------------------------------------


def test_output_text_is_the_answer_polled_and_streamed(client: openai.OpenAI) -> None:
    text = '{"name": "Oslo", "population": 709000}'
    with client.responses.create(
        model="gpt-test", input="hi", background=True, stream=True, metadata=script(output_text=text)
    ) as stream:
        events = list(stream)
    deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
    assert deltas == ['{"name":', ' "Oslo",', ' "population":', " 709000}"]
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == text
    assert client.responses.retrieve(events[0].response.id).output_text == text  # type: ignore[union-attr]


def test_output_text_scripts_structured_outputs(client: openai.OpenAI) -> None:
    parsed = client.responses.parse(
        model="gpt-test",
        input="hi",
        text_format=City,
        metadata=script(output_text='{"name": "Oslo", "population": 709000}'),
    )
    assert parsed.output_parsed == City(name="Oslo", population=709000)


async def test_async_output_text_on_an_incomplete_answer(async_client: openai.AsyncOpenAI) -> None:
    response = await async_client.responses.create(
        model="gpt-test",
        input="hi",
        metadata=script(outcome="incomplete:max_output_tokens", output_text="Cut sh"),
    )
    assert response.status == "incomplete"
    assert response.output_text == "Cut sh"
    assert response.usage is not None
    assert response.usage.output_tokens == 2


# --- emulator.stream_ttl_ms ------------------------------------------------------------------


class ManualClock:
    """The emulator's monotonic clock, moved by hand: the window is crossed without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocked() -> Iterator[tuple[str, ManualClock]]:
    clock = ManualClock()
    with run_in_thread(create_app(clock=clock)) as root:
        yield f"{root}/v1", clock


def test_streaming_again_is_refused_once_the_response_is_too_old(clocked: tuple[str, ManualClock]) -> None:
    base_url, clock = clocked
    client = openai.OpenAI(base_url=base_url, api_key="emulator-key", max_retries=0)
    created = client.responses.create(
        model="gpt-test",
        input="hi",
        background=True,
        metadata=script(queue_ms="0", run_ms="10", stream_ttl_ms="1000"),
    )
    clock.now += 0.999
    with client.responses.retrieve(created.id, stream=True, starting_after=3) as stream:
        assert [event.sequence_number for event in stream][:1] == [4]
    clock.now += 0.001
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.retrieve(created.id, stream=True, starting_after=3)
    assert caught.value.status_code == 400
    assert caught.value.body == {
        "message": STREAM_EXPIRED,
        "type": "invalid_request_error",
        "param": "stream",
        "code": "invalid_request_error",
    }
    assert caught.value.request_id is not None
    # Only streaming again is refused: polling still answers the whole response.
    assert client.responses.retrieve(created.id).status == "completed"
    client.close()


async def test_async_refusal_and_the_default_window(clocked: tuple[str, ManualClock]) -> None:
    base_url, clock = clocked
    async with openai.AsyncOpenAI(base_url=base_url, api_key="emulator-key", max_retries=0) as client:
        created = await client.responses.create(
            model="gpt-test", input="hi", background=True, metadata=script(queue_ms="0", run_ms="10")
        )
        clock.now += 299.9  # the API's window is 5 minutes
        stream = await client.responses.retrieve(created.id, stream=True)
        assert [event.type async for event in stream][-1] == "response.completed"
        clock.now += 0.1
        with pytest.raises(openai.BadRequestError, match="more than 5 minutes old"):
            await client.responses.retrieve(created.id, stream=True)


# --- what the emulator does not implement ----------------------------------------------------


def test_an_unimplemented_endpoint_is_a_404_naming_method_and_path(
    client: openai.OpenAI, background_api: str
) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": "hi"}])
    root = httpx2.URL(background_api).path.removesuffix("/v1")  # the fixture's per-test prefix
    message = (
        f"The openai-background-errors emulator does not implement POST {root}/v1/chat/completions; "
        f"it serves POST {root}/v1/responses, POST {root}/v1/responses/input_tokens, "
        f"POST {root}/v1/responses/compact, GET {root}/v1/responses/{{response_id}}, "
        f"DELETE {root}/v1/responses/{{response_id}}, GET {root}/v1/responses/{{response_id}}/input_items, "
        f"POST {root}/v1/responses/{{response_id}}/cancel, GET {root}/v1/emulator/responses, "
        f"GET {root}/v1/emulator/responses/{{response_id}}."
    )
    assert caught.value.body == {
        "message": message,
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert caught.value.request_id is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/responses/resp_x"),
        ("GET", "/responses"),
        ("POST", "/responses/resp_x/input_items"),
        ("DELETE", "/files/f"),
    ],
)
def test_a_known_path_with_another_method_is_unimplemented_too(
    background_api: str, method: str, path: str
) -> None:
    answer = httpx2.request(method, f"{background_api}{path}")
    assert answer.status_code == 404
    message = answer.json()["error"]["message"]
    assert message.startswith(f"The openai-background-errors emulator does not implement {method} ")
    assert path in message


async def test_async_unimplemented_endpoint(async_client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match=r"emulator does not implement POST /\w+/v1/embeddings;"):
        await async_client.embeddings.create(model="text-embedding-3-small", input="hi")
