"""pydantic-ai with this package's `AsyncOpenAI`: ``OpenAIResponsesModel(provider=OpenAIProvider(openai_client=...))``.

pydantic-ai runs background mode itself (``openai_background=True``): a run that
answers ``queued`` is suspended and retrieved every two seconds until it ends.
With a waiting client (``wait_for_background=True``) the create answers with the
finished run and nothing is suspended; both ways give the answer, and a failure
reaches the caller as the typed error. Its ``FallbackModel`` falls back on
``ModelAPIError`` by default, which the typed error is not: name both.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic_ai import Agent
from pydantic_ai.exceptions import ModelAPIError
from pydantic_ai.models.fallback import FallbackModel
from pydantic_ai.models.openai import OpenAIResponsesModel, OpenAIResponsesModelSettings
from pydantic_ai.providers.openai import OpenAIProvider

from openai_background_errors import AsyncOpenAI, BackgroundResponseError, BackgroundServerError

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


@pytest.fixture(params=["plain", "waiting"])
def client(request: pytest.FixtureRequest, async_client: AsyncOpenAI) -> AsyncOpenAI:
    """This package's client, without and with `wait_for_background=True`."""
    return async_client.with_options(wait_for_background=request.param == "waiting")


def model(client: AsyncOpenAI, metadata: dict[str, str], *, background: bool = True) -> OpenAIResponsesModel:
    settings = OpenAIResponsesModelSettings(extra_body={"metadata": metadata})
    if background:
        settings["openai_background"] = True
    return OpenAIResponsesModel("gpt-test", provider=OpenAIProvider(openai_client=client), settings=settings)


async def test_run_completed(client: AsyncOpenAI, background_api: str) -> None:
    result = await Agent(model(client, COMPLETED)).run(PROMPT)
    assert result.output == ANSWER
    job = the_one_job(background_api)
    assert (job["background"], job["status"]) == (True, "completed")


async def test_run_failed_raises_the_typed_error(client: AsyncOpenAI) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011  # which class reaches the caller is the point
        await Agent(model(client, FAILED)).run(PROMPT)
    assert_server_error(caught.value)


async def test_foreground_run_failed_raises_the_typed_error(async_client: AsyncOpenAI) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        await Agent(model(async_client, FAILED, background=False)).run(PROMPT)
    assert_server_error(caught.value)


async def test_structured_output(client: AsyncOpenAI, background_api: str) -> None:
    result = await Agent(model(client, STRUCTURED), output_type=City).run("Where?")
    assert result.output == OSLO
    the_one_job(background_api)


async def test_background_stream_dropped_twice_loses_and_repeats_nothing(
    async_client: AsyncOpenAI, background_api: str
) -> None:
    async with Agent(model(async_client, DROPPED_TWICE)).run_stream(PROMPT) as result:
        text = await result.get_output()
    assert text == ANSWER
    assert_dropped_twice_and_resumed(background_api)


async def test_background_stream_failed_raises_the_typed_error(async_client: AsyncOpenAI) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011
        async with Agent(model(async_client, FAILED)).run_stream(PROMPT) as result:
            await result.get_output()
    assert_server_error(caught.value)


@pytest.mark.parametrize(
    ("fallback_on", "falls_back"),
    [((ModelAPIError,), False), ((ModelAPIError, BackgroundResponseError), True)],
    ids=["default", "with BackgroundResponseError"],
)
async def test_fallback_model_falls_back_on_the_typed_error_when_named(
    waiting_async_client: AsyncOpenAI, fallback_on: tuple[type[Exception], ...], falls_back: bool
) -> None:
    # With a waiting client: without one, pydantic-ai's own suspension of the fallback's
    # background run gave up ("suspended more than the maximum of 10 times") on a run that
    # finished in a quarter of a second, with openai's stock client as with this package's.
    client = waiting_async_client
    fallback: Any = FallbackModel(model(client, FAILED), model(client, COMPLETED), fallback_on=fallback_on)
    agent = Agent(fallback)
    if falls_back:
        assert (await agent.run(PROMPT)).output == ANSWER
    else:
        with pytest.raises(BackgroundServerError) as caught:
            await agent.run(PROMPT)
        assert_server_error(caught.value)


async def test_cancelling_the_run_task_with_a_waiting_client_cancels_the_run(
    waiting_async_client: AsyncOpenAI, background_api: str
) -> None:
    task = asyncio.create_task(Agent(model(waiting_async_client, LONG)).run(PROMPT))
    await cancel_once_watched(task, background_api, "polls")
