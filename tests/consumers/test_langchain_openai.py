"""langchain-openai with this package's clients: ``ChatOpenAI(use_responses_api=True, ...)``.

``ChatOpenAI`` builds stock clients unless it is given all four of
``root_client``, ``client``, ``root_async_client`` and ``async_client``;
metadata (the emulator's script) and ``background`` go through ``extra_body``.
``invoke`` sends one plain ``responses.create``; ``stream`` iterates
``responses.create(stream=True)`` and raises its own ``ValueError`` at the
``error`` / ``response.failed`` event it sees. ``invoke`` reads its answer through
``responses.with_raw_response.create`` (``.parse`` for ``with_structured_output``):
background runs through it need a waiting client (``wait_for_background=True``);
with a plain one it takes the ``queued`` answer of a background create for the
final one.
"""

from __future__ import annotations

import asyncio
import pickle
from typing import Any, Protocol

import httpx2
import pytest
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from openai_background_errors import AsyncOpenAI, BackgroundServerError, OpenAI

from .conftest import (
    ANSWER,
    COMPLETED,
    DROPPED_TWICE,
    FAILED,
    LONG,
    OSLO,
    STRUCTURED,
    City,
    assert_dropped_twice_and_resumed,
    assert_server_error,
    cancel_once_watched,
    the_one_job,
)

PROMPT = "Count to ten."


@pytest.fixture(autouse=True)
def no_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing leaves the machine: LangSmith tracing stays off whatever the environment says."""
    for name in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING"):
        monkeypatch.setenv(name, "false")


class Chat(Protocol):
    def __call__(
        self, metadata: dict[str, str], *, background: bool, waiting: bool = False, cancelling: bool = False
    ) -> ChatOpenAI: ...


@pytest.fixture
def chat(sync_client: OpenAI, async_client: AsyncOpenAI) -> Chat:
    """``ChatOpenAI`` for a script: all four client arguments, so no stock client is built.

    `waiting`: clients made with `wait_for_background=True`; `cancelling`: with
    `cancel_abandoned_streams=True`.
    """

    def build(
        metadata: dict[str, str], *, background: bool, waiting: bool = False, cancelling: bool = False
    ) -> ChatOpenAI:
        sync = sync_client.with_options(wait_for_background=waiting, cancel_abandoned_streams=cancelling)
        async_ = async_client.with_options(wait_for_background=waiting, cancel_abandoned_streams=cancelling)
        extra_body: dict[str, Any] = {"metadata": metadata}
        if background:
            extra_body["background"] = True
        return ChatOpenAI(
            model="gpt-test",
            api_key=SecretStr("emulator-key"),
            use_responses_api=True,
            root_client=sync,
            client=sync.chat.completions,
            root_async_client=async_,
            async_client=async_.chat.completions,
            extra_body=extra_body,
        )

    return build


def structured(llm: ChatOpenAI) -> Runnable[str, Any]:
    """`llm.with_structured_output(City)` (langchain-openai types its output loosely)."""
    return llm.with_structured_output(City)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


def streamed_text(llm: ChatOpenAI) -> str:
    return "".join(chunk.text for chunk in llm.stream(PROMPT))


async def astreamed_text(llm: ChatOpenAI) -> str:
    return "".join([chunk.text async for chunk in llm.astream(PROMPT)])


def test_invoke_completed(chat: Chat) -> None:
    message = chat(COMPLETED, background=False).invoke(PROMPT)
    assert message.text == ANSWER
    assert message.response_metadata["status"] == "completed"


async def test_ainvoke_completed(chat: Chat) -> None:
    message = await chat(COMPLETED, background=False).ainvoke(PROMPT)
    assert message.text == ANSWER


def test_stream_background_completed(chat: Chat) -> None:
    assert streamed_text(chat(COMPLETED, background=True)) == ANSWER


async def test_astream_background_completed(chat: Chat) -> None:
    assert await astreamed_text(chat(COMPLETED, background=True)) == ANSWER


def test_invoke_failed_raises_the_typed_error(chat: Chat) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011  # which class reaches the caller is the point
        chat(FAILED, background=False).invoke(PROMPT)
    assert_server_error(caught.value)


async def test_ainvoke_failed_raises_the_typed_error(chat: Chat) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        await chat(FAILED, background=False).ainvoke(PROMPT)
    assert_server_error(caught.value)


def test_stream_background_failed_raises_the_typed_error(chat: Chat) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        streamed_text(chat(FAILED, background=True))
    assert_server_error(caught.value)


async def test_astream_background_failed_raises_the_typed_error(chat: Chat) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        await astreamed_text(chat(FAILED, background=True))
    assert_server_error(caught.value)


def test_stream_background_dropped_twice_loses_and_repeats_nothing(chat: Chat, background_api: str) -> None:
    assert streamed_text(chat(DROPPED_TWICE, background=True)) == ANSWER
    assert_dropped_twice_and_resumed(background_api)


async def test_astream_background_dropped_twice_loses_and_repeats_nothing(
    chat: Chat, background_api: str
) -> None:
    assert await astreamed_text(chat(DROPPED_TWICE, background=True)) == ANSWER
    assert_dropped_twice_and_resumed(background_api)


def test_invoke_background_with_a_waiting_client_returns_the_answer(chat: Chat, background_api: str) -> None:
    message = chat(COMPLETED, background=True, waiting=True).invoke(PROMPT)
    assert message.text == ANSWER
    assert message.response_metadata["status"] == "completed"
    assert the_one_job(background_api)["status"] == "completed"


async def test_ainvoke_background_with_a_waiting_client_returns_the_answer(chat: Chat) -> None:
    message = await chat(COMPLETED, background=True, waiting=True).ainvoke(PROMPT)
    assert message.text == ANSWER


def test_structured_output_background_with_a_waiting_client(chat: Chat, background_api: str) -> None:
    assert structured(chat(STRUCTURED, background=True, waiting=True)).invoke("Where?") == OSLO
    the_one_job(background_api)


async def test_astructured_output_background_with_a_waiting_client(chat: Chat) -> None:
    llm = structured(chat(STRUCTURED, background=True, waiting=True))
    assert await llm.ainvoke("Where?") == OSLO


def test_invoke_background_failed_with_a_waiting_client_raises_the_typed_error(chat: Chat) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        chat(FAILED, background=True, waiting=True).invoke(PROMPT)
    assert_server_error(caught.value)


def test_an_error_from_invoke_pickles_whole(chat: Chat) -> None:
    with pytest.raises(BackgroundServerError) as caught:
        chat(FAILED, background=False).invoke(PROMPT)
    error = caught.value
    # langchain-openai put its HTTP response where the error keeps its `Response`.
    assert isinstance(error.response, httpx2.Response)
    pickled = pickle.loads(pickle.dumps(error))
    assert type(pickled) is BackgroundServerError
    assert (pickled.code, pickled.response_id, pickled.request_id) == (
        error.code,
        error.response_id,
        error.request_id,
    )
    assert pickled.response is None  # no empty `Response` in its place
    assert_server_error(pickled)


def test_invoke_background_without_a_waiting_client_answers_empty(chat: Chat) -> None:
    # What users met before `wait_for_background`: the queued answer taken for the final one.
    message = chat(COMPLETED, background=True).invoke(PROMPT)
    assert message.text == ""
    assert message.response_metadata["status"] == "queued"


def test_structured_output_background_without_a_waiting_client_fails(chat: Chat) -> None:
    with pytest.raises(ValueError, match="Structured Output response does not have a 'parsed' field"):
        structured(chat(STRUCTURED, background=True)).invoke("Where?")


async def test_cancelling_ainvoke_cancels_the_run_on_the_server(chat: Chat, background_api: str) -> None:
    task = asyncio.create_task(chat(LONG, background=True, waiting=True).ainvoke(PROMPT))
    await cancel_once_watched(task, background_api, "polls")


async def test_cancelling_astream_cancels_the_run_with_cancel_abandoned_streams(
    chat: Chat, background_api: str
) -> None:
    task = asyncio.create_task(astreamed_text(chat(LONG, background=True, cancelling=True)))
    await cancel_once_watched(task, background_api, "streams")
