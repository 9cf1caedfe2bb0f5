"""openai-agents with this package's `AsyncOpenAI`: ``OpenAIResponsesModel(openai_client=...)``.

``Runner.run`` sends one plain ``responses.create``; ``Runner.run_streamed``
streams it through ``responses.with_streaming_response.create(stream=True)``
and stops reading at the first terminal event (``error``, ``response.failed``,
...). Background runs through ``Runner.run`` need a waiting client
(``wait_for_background=True``): with a plain one it takes the ``queued`` answer
of a background create for the final one (an empty answer), and with
``output_type=`` it asks again and again, a new job each turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from agents import (
    Agent,
    MaxTurnsExceeded,
    ModelRetrySettings,
    ModelSettings,
    OpenAIResponsesModel,
    RetryPolicyContext,
    Runner,
    retry_policies,
    set_tracing_disabled,
)
from agents.stream_events import RawResponsesStreamEvent

from openai_background_errors import AsyncOpenAI, is_retryable

from .conftest import (
    ANSWER,
    ANSWER_EVENTS,
    COMPLETED,
    DROPPED_TWICE,
    FAILED,
    LONG,
    OSLO,
    STRUCTURED,
    City,
    assert_cancelled_on_the_server,
    assert_dropped_twice_and_resumed,
    assert_server_error,
    cancel_once_watched,
    job_stats,
    the_one_job,
    until_watched,
)


@pytest.fixture(autouse=True)
def no_tracing() -> Iterator[None]:
    """Nothing leaves the machine: the SDK's tracing would export to OpenAI."""
    set_tracing_disabled(True)
    yield
    set_tracing_disabled(False)


def agent(
    client: AsyncOpenAI,
    metadata: dict[str, str],
    *,
    background: bool,
    output_type: type[Any] | None = None,
    retry: ModelRetrySettings | None = None,
) -> Agent[Any]:
    settings = ModelSettings(
        metadata=metadata, extra_args={"background": True} if background else None, retry=retry
    )
    model = OpenAIResponsesModel(model="gpt-test", openai_client=client)
    return Agent(
        name="assistant",
        instructions="Answer briefly.",
        model=model,
        model_settings=settings,
        output_type=output_type,
    )


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


async def test_run_background_with_a_waiting_client_returns_the_answer_from_one_job(
    waiting_async_client: AsyncOpenAI, background_api: str
) -> None:
    result = await Runner.run(agent(waiting_async_client, COMPLETED, background=True), "Count to ten.")
    assert result.final_output == ANSWER
    job = the_one_job(background_api)
    assert (job["background"], job["status"]) == (True, "completed")


async def test_run_background_with_output_type_and_a_waiting_client_is_one_job(
    waiting_async_client: AsyncOpenAI, background_api: str
) -> None:
    result = await Runner.run(
        agent(waiting_async_client, STRUCTURED, background=True, output_type=City), "Where?"
    )
    assert result.final_output == OSLO
    the_one_job(background_api)


async def test_run_background_failed_with_a_waiting_client_raises_the_typed_error(
    waiting_async_client: AsyncOpenAI,
) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        await Runner.run(agent(waiting_async_client, FAILED, background=True), "Count to ten.")
    assert_server_error(caught.value)


async def test_cancelling_the_run_task_cancels_the_run_on_the_server(
    waiting_async_client: AsyncOpenAI, background_api: str
) -> None:
    task = asyncio.create_task(Runner.run(agent(waiting_async_client, LONG, background=True), "Take long."))
    await cancel_once_watched(task, background_api, "polls")


async def test_run_background_without_a_waiting_client_answers_empty(
    async_client: AsyncOpenAI, background_api: str
) -> None:
    # What users met before `wait_for_background`: the queued answer taken for the final one.
    result = await Runner.run(agent(async_client, COMPLETED, background=True), "Count to ten.")
    assert result.final_output == ""
    the_one_job(background_api)


async def test_run_background_failed_without_a_waiting_client_answers_empty(
    async_client: AsyncOpenAI, background_api: str
) -> None:
    # The failure is never seen: the queued answer is taken for the final one.
    result = await Runner.run(agent(async_client, FAILED, background=True), "Count to ten.")
    assert result.final_output == ""
    the_one_job(background_api)


async def test_run_background_with_output_type_without_a_waiting_client_makes_a_job_per_turn(
    async_client: AsyncOpenAI, background_api: str
) -> None:
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(agent(async_client, STRUCTURED, background=True, output_type=City), "Where?")
    assert len(job_stats(background_api)) == 10  # the default max_turns


def typed_error_is_retryable(context: RetryPolicyContext) -> bool:
    """The retry policy the README gives: the SDK's advice, or a retryable typed error."""
    return is_retryable(context.error)


@pytest.mark.parametrize(
    ("policy", "jobs"),
    [
        (retry_policies.provider_suggested(), 1),
        (retry_policies.any(retry_policies.provider_suggested(), typed_error_is_retryable), 3),
    ],
    ids=["provider_suggested", "is_retryable"],
)
async def test_only_a_policy_built_on_is_retryable_retries_the_typed_error(
    waiting_async_client: AsyncOpenAI, background_api: str, policy: Any, jobs: int
) -> None:
    retry = ModelRetrySettings(max_retries=2, backoff={"initial_delay": 0.0}, policy=policy)
    with pytest.raises(Exception) as caught:  # noqa: PT011
        await Runner.run(agent(waiting_async_client, FAILED, background=True, retry=retry), "Count to ten.")
    assert_server_error(caught.value)
    assert len(job_stats(background_api)) == jobs


async def test_result_cancel_of_run_streamed_cancels_the_run_with_cancel_abandoned_streams(
    cancelling_async_client: AsyncOpenAI, background_api: str
) -> None:
    # `result.cancel()` cancels openai-agents' own task reading the stream; cancelling only the
    # task that reads `stream_events()` leaves that one running.
    result = Runner.run_streamed(agent(cancelling_async_client, LONG, background=True), "Take long.")

    async def consume() -> None:
        async for _event in result.stream_events():
            pass

    consumer = asyncio.create_task(consume())
    await until_watched(background_api, "streams")
    result.cancel()
    await consumer
    assert_cancelled_on_the_server(background_api)
