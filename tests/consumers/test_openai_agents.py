"""openai-agents with this package's `AsyncOpenAI`: ``OpenAIResponsesModel(openai_client=...)``.

``Runner.run`` sends one plain ``responses.create``; ``Runner.run_streamed``
streams it through ``responses.with_streaming_response.create(stream=True)``
and stops reading at the first terminal event (``error``, ``response.failed``,
...). Background runs go through ``run_streamed``: ``Runner.run`` takes the
``queued`` answer of a background create for the final one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from agents import Agent, ModelSettings, OpenAIResponsesModel, Runner, set_tracing_disabled
from agents.stream_events import RawResponsesStreamEvent

from openai_background_errors import AsyncOpenAI

from .conftest import (
    ANSWER,
    ANSWER_EVENTS,
    COMPLETED,
    DROPPED_TWICE,
    FAILED,
    assert_dropped_twice_and_resumed,
    assert_server_error,
)


@pytest.fixture(autouse=True)
def no_tracing() -> Iterator[None]:
    """Nothing leaves the machine: the SDK's tracing would export to OpenAI."""
    set_tracing_disabled(True)
    yield
    set_tracing_disabled(False)


def agent(client: AsyncOpenAI, metadata: dict[str, str], *, background: bool) -> Agent:
    settings = ModelSettings(metadata=metadata, extra_args={"background": True} if background else None)
    model = OpenAIResponsesModel(model="gpt-test", openai_client=client)
    return Agent(name="assistant", instructions="Answer briefly.", model=model, model_settings=settings)


async def run_streamed(client: AsyncOpenAI, metadata: dict[str, str]) -> tuple[object, list[int], str]:
    """Run a background agent streamed; return its final output, the raw events' numbers, the deltas."""
    result = Runner.run_streamed(agent(client, metadata, background=True), "Count to ten.")
    numbers: list[int] = []
    deltas: list[str] = []
    async for event in result.stream_events():
        if isinstance(event, RawResponsesStreamEvent):
            numbers.append(event.data.sequence_number)
            if event.data.type == "response.output_text.delta":
                deltas.append(event.data.delta)
    return result.final_output, numbers, "".join(deltas)


async def test_run_completed(async_client: AsyncOpenAI) -> None:
    result = await Runner.run(agent(async_client, COMPLETED, background=False), "Count to ten.")
    assert result.final_output == ANSWER


async def test_run_streamed_background_completed(async_client: AsyncOpenAI) -> None:
    final, numbers, text = await run_streamed(async_client, COMPLETED)
    assert final == ANSWER
    assert text == ANSWER
    assert numbers == list(range(ANSWER_EVENTS))


async def test_run_failed_raises_the_typed_error(async_client: AsyncOpenAI) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011  # which class reaches the caller is the point
        await Runner.run(agent(async_client, FAILED, background=False), "Count to ten.")
    assert_server_error(caught.value)


async def test_run_streamed_background_failed_raises_the_typed_error(async_client: AsyncOpenAI) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        await run_streamed(async_client, FAILED)
    assert_server_error(caught.value)


async def test_run_streamed_background_dropped_twice_loses_and_repeats_nothing(
    async_client: AsyncOpenAI, background_api: str
) -> None:
    final, numbers, text = await run_streamed(async_client, DROPPED_TWICE)
    assert final == ANSWER
    assert text == ANSWER
    assert numbers == list(range(ANSWER_EVENTS))  # every event once, in order, across three connections
    assert_dropped_twice_and_resumed(background_api)
