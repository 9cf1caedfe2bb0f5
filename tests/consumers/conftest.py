"""This package's clients handed to the libraries users build on, against the emulator.

Only the ``consumers`` lane (``nox -s consumers``) installs openai-agents and
langchain-openai, at pinned versions; elsewhere this directory is not
collected (tests/lanes.py). Each fate a user meets is scripted in the create
request's metadata: completed, failed, and a background stream whose
connection drops twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

from openai_background_errors import AsyncOpenAI, BackgroundResponseError, BackgroundServerError, OpenAI

ANSWER = "one two three four five six seven eight nine ten"
"""The scripted answer: ten deltas, so a lost or repeated one shows in the joined text."""

ANSWER_EVENTS = 18
"""Its stream: created, in_progress, item and part added, ten deltas, three done events, completed."""

FAST = {"emulator.queue_ms": "20", "emulator.run_ms": "200", "emulator.poll_after_ms": "15"}
COMPLETED = {**FAST, "emulator.output_text": ANSWER}
FAILED = {**FAST, "emulator.outcome": "failed:server_error"}
DROPPED_TWICE = {**COMPLETED, "emulator.drop_stream_after": "5x2"}
"""Cut after 5 events on the first two connections: once in the deltas, then again further on."""


@pytest.fixture
def sync_client(background_api: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=background_api, api_key="emulator-key") as client:
        yield client


@pytest.fixture
async def async_client(background_api: str) -> AsyncIterator[AsyncOpenAI]:
    async with AsyncOpenAI(base_url=background_api, api_key="emulator-key") as client:
        yield client


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
