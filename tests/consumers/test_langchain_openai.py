"""langchain-openai with this package's clients: ``ChatOpenAI(use_responses_api=True, ...)``.

``ChatOpenAI`` builds stock clients unless it is given all four of
``root_client``, ``client``, ``root_async_client`` and ``async_client``;
metadata (the emulator's script) and ``background`` go through ``extra_body``.
``invoke`` sends one plain ``responses.create``; ``stream`` iterates
``responses.create(stream=True)`` and raises its own ``ValueError`` at the
``error`` / ``response.failed`` event it sees. Background runs go through
``stream``: ``invoke`` takes the ``queued`` answer of a background create for
the final one.
"""

from __future__ import annotations

from typing import Any, Protocol

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from openai_background_errors import AsyncOpenAI, OpenAI

from .conftest import (
    ANSWER,
    COMPLETED,
    DROPPED_TWICE,
    FAILED,
    assert_dropped_twice_and_resumed,
    assert_server_error,
)

PROMPT = "Count to ten."


@pytest.fixture(autouse=True)
def no_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing leaves the machine: LangSmith tracing stays off whatever the environment says."""
    for name in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING"):
        monkeypatch.setenv(name, "false")


class Chat(Protocol):
    def __call__(self, metadata: dict[str, str], *, background: bool) -> ChatOpenAI: ...


@pytest.fixture
def chat(sync_client: OpenAI, async_client: AsyncOpenAI) -> Chat:
    """``ChatOpenAI`` for a script: all four client arguments, so no stock client is built."""

    def build(metadata: dict[str, str], *, background: bool) -> ChatOpenAI:
        extra_body: dict[str, Any] = {"metadata": metadata}
        if background:
            extra_body["background"] = True
        return ChatOpenAI(
            model="gpt-test",
            api_key=SecretStr("emulator-key"),
            use_responses_api=True,
            root_client=sync_client,
            client=sync_client.chat.completions,
            root_async_client=async_client,
            async_client=async_client.chat.completions,
            extra_body=extra_body,
        )

    return build


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
