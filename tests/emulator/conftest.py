"""Stock ``openai`` clients pointed at a fresh emulator (the ``background_api`` fixture)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import openai
import pydantic
import pytest
from openai.types.responses import Response, ResponseStreamEvent

EVENTS: pydantic.TypeAdapter[ResponseStreamEvent] = pydantic.TypeAdapter(ResponseStreamEvent)
FAST = {"emulator.queue_ms": "20", "emulator.run_ms": "60", "emulator.poll_after_ms": "15"}


@pytest.fixture(scope="session")
def http_client() -> Iterator[httpx2.Client]:
    """One connection pool for all sync clients (building one per test is slow)."""
    shared = httpx2.Client()
    try:
        yield shared
    finally:
        shared.close()


@pytest.fixture
def client(background_api: str, http_client: httpx2.Client) -> openai.OpenAI:
    return openai.OpenAI(base_url=background_api, api_key="emulator-key", http_client=http_client)


@pytest.fixture
async def async_client(background_api: str) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=background_api, api_key="emulator-key") as stock:
        yield stock


def script(**keys: str) -> dict[str, str]:
    """Fast timings plus ``emulator.<key>`` entries (``outcome="failed:x"`` -> ``emulator.outcome``)."""
    return {**FAST, **{f"emulator.{key}": value for key, value in keys.items()}}


def job_stats(base_url: str, response_id: str) -> dict[str, Any]:
    """The emulator's own counters for one job."""
    answer = httpx2.get(f"{base_url}/emulator/responses/{response_id}")
    answer.raise_for_status()
    stats: dict[str, Any] = answer.json()
    return stats


def job_ids(base_url: str) -> list[str]:
    """Ids of every job of the emulator, oldest first."""
    answer = httpx2.get(f"{base_url}/emulator/responses")
    answer.raise_for_status()
    return [str(job["id"]) for job in answer.json()["data"]]


def validate_response(body: object) -> Response:
    return Response.model_validate(body)
