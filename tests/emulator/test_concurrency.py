"""Concurrent jobs on one emulator do not affect each other."""

from __future__ import annotations

import asyncio

import httpx2
import openai
import pytest

from .conftest import job_stats, script

FATES = {
    "completed": ("completed", None),
    "failed:server_error": ("failed", "server_error"),
    "failed:quota_gone": ("failed", "quota_gone"),
    "incomplete:max_output_tokens": ("incomplete", "max_output_tokens"),
    "failed": ("failed", None),
}


async def poll(client: openai.AsyncOpenAI, response_id: str) -> tuple[str, str | None]:
    while True:
        response = await client.responses.retrieve(response_id)
        if response.status not in ("queued", "in_progress"):
            assert response.status is not None
            if response.error is not None:
                return response.status, str(response.error.code)
            if response.incomplete_details is not None:
                return response.status, response.incomplete_details.reason
            return response.status, None
        await asyncio.sleep(0.01)


async def test_concurrent_jobs_reach_their_own_fates(
    async_client: openai.AsyncOpenAI, background_api: str
) -> None:
    outcomes = list(FATES) * 2
    created = await asyncio.gather(
        *(
            async_client.responses.create(
                model="gpt-test",
                input="hi",
                background=True,
                metadata=script(
                    outcome=outcome, run_ms=str(30 + 20 * number), poll_faults="500" if number % 2 else "429"
                ),
            )
            for number, outcome in enumerate(outcomes)
        )
    )
    assert len({response.id for response in created}) == len(outcomes)
    results = await asyncio.gather(*(poll(async_client, response.id) for response in created))
    assert results == [FATES[outcome] for outcome in outcomes]
    for response in created:
        assert len(job_stats(background_api, response.id)["faults"]) == 1


async def collect(client: openai.AsyncOpenAI, outcome: str, drop: str | None) -> list[str] | str:
    # The documented flat error event, which the stock SDK delivers (it raises at the nested one).
    metadata = script(outcome=outcome, error_event="flat")
    if drop is not None:
        metadata = script(outcome=outcome, error_event="flat", drop_stream_after=drop)
    types: list[str] = []
    try:
        stream = await client.responses.create(
            model="gpt-test", input="hi", background=True, stream=True, metadata=metadata
        )
        async with stream:
            async for event in stream:
                types.append(event.type)
    except openai.APIConnectionError:
        return f"dropped after {len(types)}"
    return types


async def test_concurrent_streams_are_independent(async_client: openai.AsyncOpenAI) -> None:
    results = await asyncio.gather(
        collect(async_client, "completed", None),
        collect(async_client, "failed:server_error", None),
        collect(async_client, "completed", "3"),
        collect(async_client, "incomplete", "5"),
    )
    completed, failed, dropped_3, dropped_5 = results
    assert isinstance(completed, list)
    assert completed[-1] == "response.completed"
    assert failed == [
        "response.created",
        "response.queued",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    assert (dropped_3, dropped_5) == ("dropped after 3", "dropped after 5")


@pytest.mark.parametrize("round_", range(2))
def test_state_does_not_leak_between_tests(background_api: str, client: openai.OpenAI, round_: int) -> None:
    assert httpx2.get(f"{background_api}/emulator/responses").json()["data"] == []
    client.responses.create(model="gpt-test", input="hi", background=True, metadata=script())
    assert len(httpx2.get(f"{background_api}/emulator/responses").json()["data"]) == 1
