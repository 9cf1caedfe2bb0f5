"""This package's clients handed to the libraries users build on, against the emulator.

Only the ``consumers`` lane (``nox -s consumers``) installs openai-agents,
langchain-openai and pydantic-ai, at pinned versions; elsewhere this directory
is not collected (tests/lanes.py). Each fate a user meets is scripted in the
create request's metadata: completed, failed, a structured answer, a background
stream whose connection drops twice, and a run long enough to be cancelled.
Background runs through non-streaming calls are driven with a waiting client
(``wait_for_background=True``) and, for the record of what users meet without
one, with a plain client.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel

from openai_background_errors import AsyncOpenAI, BackgroundResponseError, BackgroundServerError, OpenAI

ANSWER = "one two three four five six seven eight nine ten"
"""The scripted answer: ten deltas, so a lost or repeated one shows in the joined text."""

ANSWER_EVENTS = 19
"""Its background stream: created, queued (the job waits `queue_ms`), in_progress, item and part
added, ten deltas, three done events, completed."""

FAST = {"emulator.queue_ms": "20", "emulator.run_ms": "200", "emulator.poll_after_ms": "15"}
COMPLETED = {**FAST, "emulator.output_text": ANSWER}
FAILED = {**FAST, "emulator.outcome": "failed:server_error"}
DROPPED_TWICE = {**COMPLETED, "emulator.drop_stream_after": "5x2"}
"""Cut after 5 events on the first two connections: once in the deltas, then again further on."""
STRUCTURED = {**FAST, "emulator.output_text": '{"city": "Oslo", "population": 709000}'}
LONG = {"emulator.queue_ms": "0", "emulator.run_ms": "60000", "emulator.poll_after_ms": "20"}
"""A run that is still going when the test cancels what waits for it."""


class City(BaseModel):
    """The structured answer `STRUCTURED` scripts."""

    city: str
    population: int


OSLO = City(city="Oslo", population=709000)


@pytest.fixture
def sync_client(background_api: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=background_api, api_key="emulator-key") as client:
        yield client


@pytest.fixture
async def async_client(background_api: str) -> AsyncIterator[AsyncOpenAI]:
    async with AsyncOpenAI(base_url=background_api, api_key="emulator-key") as client:
        yield client


@pytest.fixture
def waiting_sync_client(sync_client: OpenAI) -> OpenAI:
    """`sync_client`, waiting for background runs."""
    return sync_client.with_options(wait_for_background=True)


@pytest.fixture
def waiting_async_client(async_client: AsyncOpenAI) -> AsyncOpenAI:
    """`async_client`, waiting for background runs."""
    return async_client.with_options(wait_for_background=True)


@pytest.fixture
def cancelling_async_client(async_client: AsyncOpenAI) -> AsyncOpenAI:
    """`async_client`, cancelling the run of a background stream it abandons."""
    return async_client.with_options(cancel_abandoned_streams=True)


def typed_error_in(raised: BaseException) -> BackgroundResponseError:
    """The typed error the caller got: the exception itself or one in its cause/context chain."""
    seen: list[str] = []
    current: BaseException | None = raised
    while current is not None:
        if isinstance(current, BackgroundResponseError):
            return current
        seen.append(f"{type(current).__module__}.{type(current).__qualname__}: {current}")
        current = current.__cause__ or current.__context__
    raise AssertionError("no BackgroundResponseError in the chain: " + " <- ".join(seen))


def assert_server_error(raised: BaseException) -> None:
    """The scripted ``failed:server_error`` reached the caller typed, with its code and request id."""
    error = typed_error_in(raised)
    assert isinstance(error, BackgroundServerError)
    assert error.code == "server_error"
    assert error.retryable is True
    assert error.request_id is not None
    assert error.request_id.startswith("req_emu_")
    assert error.response_id is not None
    assert error.response_id.startswith("resp_emu_")


def job_stats(base_url: str) -> list[dict[str, Any]]:
    """The emulator's own counters for every job, oldest first."""
    answer = httpx2.get(f"{base_url}/emulator/responses")
    answer.raise_for_status()
    jobs: list[dict[str, Any]] = answer.json()["data"]
    return jobs


def assert_dropped_twice_and_resumed(base_url: str) -> None:
    """The one job's stream was cut twice and followed on a third connection."""
    [job] = job_stats(base_url)
    assert (job["status"], job["drops"], job["streams"]) == ("completed", 2, 3)


def the_one_job(base_url: str) -> dict[str, Any]:
    """The emulator's counters for the only job the test created (it fails if there were more)."""
    jobs = job_stats(base_url)
    assert len(jobs) == 1, [(job["id"], job["status"]) for job in jobs]
    return jobs[0]


async def until_watched(base_url: str, counter: str) -> None:
    """Return once the one job has been polled (`counter` "polls") or streamed ("streams"), and a
    little more: whatever waits for it is waiting, and has read what the server sent first."""
    for _ in range(2000):
        jobs = await asyncio.to_thread(job_stats, base_url)
        if jobs and jobs[0][counter] > 0:
            await asyncio.sleep(0.2)
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the job was never watched ({counter}): {job_stats(base_url)}")


def assert_cancelled_on_the_server(base_url: str) -> None:
    """The one job was cancelled, once, by the client."""
    job = the_one_job(base_url)
    assert (job["status"], job["cancels"]) == ("cancelled", 1)


async def cancel_once_watched(task: asyncio.Task[Any], base_url: str, counter: str) -> None:
    """Cancel `task` once the one job is being watched (see `until_watched`); the cancellation
    reaches the caller, and the job was cancelled on the server."""
    await until_watched(base_url, counter)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_cancelled_on_the_server(base_url)
