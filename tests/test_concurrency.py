"""Concurrency: the registry under many threads; one client shared by threads, one by asyncio tasks.

The shared clients run against the embedded server (`background_api`), each job
with its own scripted fate; every caller must see its own job's outcome, with
its own response id, whatever the others are doing at the same time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any

import pytest

import openai_background_errors as obe

THREADS = 16
FATES: list[tuple[str, type[obe.BackgroundResponseError] | None]] = [
    ("completed", None),
    ("failed:server_error", obe.BackgroundServerError),
    ("failed:insufficient_quota", obe.BackgroundQuotaExceededError),
    ("failed:brand_new_code", obe.BackgroundResponseFailedError),
    ("incomplete:max_output_tokens", obe.BackgroundMaxOutputTokensError),
]


def _in_threads(count: int, work: Any) -> list[Any]:
    """Run `work(i)` on `count` threads released together; return the results in order."""
    start = threading.Barrier(count)

    def task(index: int) -> Any:
        start.wait()
        return work(index)

    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(task, range(count)))


def test_registrations_from_many_threads_all_land_once() -> None:
    registry = obe.ErrorRegistry()
    classes = [type(f"Code{i}", (obe.BackgroundResponseFailedError,), {}) for i in range(THREADS * 8)]

    def register(index: int) -> list[bool]:
        landed: list[bool] = []
        for offset in range(8):
            number = index * 8 + offset
            registry.register(f"code_{number}", classes[number])
            # Lookups meanwhile see the built-in table intact and every registration made so far.
            landed.append(registry.lookup("failed", "server_error") is obe.BackgroundServerError)
            landed.append(registry.lookup("failed", f"code_{number}") is classes[number])
        return landed

    assert all(all(landed) for landed in _in_threads(THREADS, register))
    for number, cls in enumerate(classes):
        assert registry.lookup("failed", f"code_{number}") is cls
    assert obe.default_registry.lookup("failed", "code_0") is obe.BackgroundResponseFailedError


def test_the_same_code_registered_from_many_threads_lands_exactly_once() -> None:
    registry = obe.ErrorRegistry()
    classes = [type(f"Racer{i}", (obe.BackgroundResponseFailedError,), {}) for i in range(THREADS)]

    def race(index: int) -> bool:
        try:
            registry.register("contested_code", classes[index])
        except ValueError:
            return False
        return True

    won = _in_threads(THREADS, race)
    assert won.count(True) == 1
    assert registry.lookup("failed", "contested_code") is classes[won.index(True)]


def _metadata(fate: str, index: int) -> dict[str, str]:
    metadata = {
        "emulator.outcome": fate,
        "emulator.queue_ms": str(index % 7),
        "emulator.run_ms": str(10 + index % 13),
        "emulator.poll_after_ms": "5",
    }
    if index % 3 == 0:
        metadata["emulator.drop_stream_after"] = "2"
    return metadata


def _check(index: int, outcome: tuple[str, BaseException | None]) -> None:
    response_id, raised = outcome
    expected = FATES[index % len(FATES)][1]
    assert (None if raised is None else type(raised)) is expected, (index, raised)
    if isinstance(raised, obe.BackgroundResponseError):
        assert raised.response_id == response_id


def test_one_sync_client_shared_by_threads(background_api: str) -> None:
    with obe.OpenAI(
        base_url=background_api, api_key="sk-shared", raise_on=("failed", "incomplete")
    ) as client:

        def job(index: int) -> tuple[str, BaseException | None]:
            created = client.responses.create(
                model="m",
                input="hi",
                background=True,
                metadata=_metadata(FATES[index % len(FATES)][0], index),
            )
            try:
                if index % 2:
                    client.responses.poll(created.id)
                else:
                    for _ in client.responses.retrieve(created.id, stream=True):
                        pass
            except obe.BackgroundResponseError as error:
                return created.id, error
            return created.id, None

        for index, outcome in enumerate(_in_threads(THREADS * 2, job)):
            _check(index, outcome)


@pytest.mark.parametrize("with_threads", [False, True], ids=["tasks", "tasks+threads"])
async def test_one_async_client_shared_by_tasks(background_api: str, with_threads: bool) -> None:
    async with obe.AsyncOpenAI(
        base_url=background_api, api_key="sk-shared", raise_on=("failed", "incomplete")
    ) as client:

        async def job(index: int) -> tuple[str, BaseException | None]:
            created = await client.responses.create(
                model="m",
                input="hi",
                background=True,
                metadata=_metadata(FATES[index % len(FATES)][0], index),
            )
            try:
                if index % 2:
                    await client.responses.poll(created.id)
                else:
                    async for _ in await client.responses.retrieve(created.id, stream=True):
                        pass
            except obe.BackgroundResponseError as error:
                return created.id, error
            return created.id, None

        outcomes = await asyncio.gather(*(job(index) for index in range(THREADS * 2)))
        if with_threads:
            # The same loop keeps serving the tasks while a sync client runs on worker threads.
            with obe.OpenAI(
                base_url=background_api, api_key="sk-shared", raise_on=("failed", "incomplete")
            ) as sync:

                def sync_job(index: int) -> tuple[str, BaseException | None]:
                    created = sync.responses.create(
                        model="m",
                        input="hi",
                        background=True,
                        metadata=_metadata(FATES[index % len(FATES)][0], index),
                    )
                    try:
                        sync.responses.poll(created.id)
                    except obe.BackgroundResponseError as error:
                        return created.id, error
                    return created.id, None

                threaded = asyncio.gather(*(asyncio.to_thread(sync_job, index) for index in range(THREADS)))
                more = asyncio.gather(*(job(index) for index in range(THREADS)))
                for index, outcome in enumerate(await threaded):
                    _check(index, outcome)
                for index, outcome in enumerate(await more):
                    _check(index, outcome)
    for index, outcome in enumerate(outcomes):
        _check(index, outcome)
