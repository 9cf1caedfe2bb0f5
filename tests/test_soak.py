"""Fault soak against the embedded server: many scripted jobs, random fates, dropped streams, flaky polls.

Each job's fate is drawn from a seeded RNG and scripted in its metadata. Half are
watched by polling (`create_and_poll`, through 500/429/reset poll faults), half
by streaming (`create(stream=True)` or `retrieve(stream=True)`, through cut
connections that the stream resumes). Sync jobs run on a bounded thread pool
sharing one client; async jobs under a semaphore sharing one async client.

Checked for every job: the observed outcome (the class raised, or none) equals the
scripted fate; every streamed job saw each event exactly once, in order, up to the one
that reveals a failure, which is raised in its place with its sequence number (lost = 0,
repeated = 0). After the run no thread is left behind (server, pool or client).

Webhooks are on throughout (`soak_webhooks`): some jobs script their end delivered twice
(`duplicate`) or late, the receiver refuses some attempts, and every job's end must have
been accepted as many times as scripted, under one `webhook-id`, with `from_webhook`
giving the scripted outcome (lost = 0, repeated = the duplicates scripted).

The default suite runs a small soak; `-m soak` runs the full one (500 jobs):

    scripts/test -m soak -p no:xdist -s tests/test_soak.py

A failing soak names its seed and lane and the command that reruns that seed alone
(`SOAK_SEED=<seed>`; in a nox lane, `nox -s <lane> -- <test id>`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import random
import threading
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from openai.types.responses import Response

import openai_background_errors as obe
from openai_background_errors.emulator import new_webhook_secret, serve

from .lanes import LANE
from .soak_webhooks import JOB_KEY, Refusals, WebhookTally, check_deliveries, copies
from .webhook_receiver import receiving

CONCURRENCY = 8
RAISE_ON = ("failed", "incomplete")
JOIN_BOUND_S = 30.0
"""How long a leftover thread may take to finish after the run; never reached when all is well."""
WEBHOOK_BOUND_S = 30.0
"""How long the last webhooks may take to be accepted after the last job; never reached when all is well."""
SECRET = new_webhook_secret()

FATES = [
    "completed",
    "completed",
    "failed:server_error",
    "failed:rate_limit_exceeded",
    "failed:insufficient_quota",
    "failed:invalid_prompt",
    "failed:image_content_policy_violation",
    "failed:sandbox_session_expired",
    "failed:new_image_thing",
    "failed",
    "incomplete:max_output_tokens",
    "incomplete:content_filter",
    "incomplete:steered",
    "incomplete",
]
WATCHES = ["create_and_poll", "create(stream=True)", "retrieve(stream=True)"]
STREAMED_PER_FATE = {"completed": (13, None), "incomplete": (12, 12), "failed": (2, 3)}
"""For each outcome (with `RAISE_ON`): how many events a stream delivers, numbered from 0, and the
sequence number of the event raised in place of the next one (docs/emulator.md: a completed or
incomplete run streams 13 events, the last one terminal; a failed run 4, `error` at 2 and
`response.failed` at 3, which the stream reads ahead to and raises with the whole response), for
a job without a queue; a queued job streams `response.queued` second, one more (`queued_shift`)."""


def queued_shift(metadata: dict[str, str]) -> int:
    """1 if the job waits in a queue, so that its stream carries `response.queued`; else 0."""
    return 1 if int(metadata["emulator.queue_ms"]) > 0 else 0


@dataclass(frozen=True)
class Job:
    number: int
    fate: str
    watch: str
    metadata: dict[str, str]

    @property
    def expected(self) -> type[obe.BackgroundResponseError] | None:
        status, _, detail = self.fate.partition(":")
        if status == "completed":
            return None
        return obe.default_registry.lookup(status, detail or None)


def plan(count: int, seed: int) -> list[Job]:
    """`count` jobs with random fates, watches, stream drops and poll faults."""
    rng = random.Random(seed)
    jobs: list[Job] = []
    for number in range(count):
        fate = rng.choice(FATES)
        watch = rng.choice(WATCHES)
        metadata = {
            "emulator.outcome": fate,
            "emulator.queue_ms": str(rng.randint(0, 20)),
            # At least 1 ms: a job with no time at all is terminal when its background create
            # answers, and the client raises a failure from the create itself.
            "emulator.run_ms": str(rng.randint(1, 40)),
            "emulator.poll_after_ms": "5",
            # A failure's in-band error event in either shape: the live API's or the documented one.
            "emulator.error_event": rng.choice(("nested", "flat")),
            JOB_KEY: str(number),
        }
        webhook_faults = [
            *(["duplicate"] if rng.random() < 0.2 else []),
            *([f"late:{rng.randint(0, 50)}"] if rng.random() < 0.2 else []),
        ]
        if webhook_faults:
            metadata["emulator.webhook_faults"] = ",".join(webhook_faults)
        if watch == "create_and_poll" and rng.random() < 0.5:
            # At most two faults in a row: the SDK's own max_retries (2) sees every one through.
            faults = rng.choices(["500", "429", "500", "429", "reset"], k=rng.randint(1, 2))
            metadata["emulator.poll_faults"] = ",".join(faults)
        if watch != "create_and_poll" and rng.random() < 0.6:
            # Up to three cuts: within max_stream_resumes (3). A create(stream=True) cut before its
            # first event cannot resume (no response id yet), so its cuts come after one at least.
            least = 1 if watch == "create(stream=True)" else 0
            metadata["emulator.drop_stream_after"] = f"{rng.randint(least, 6)}x{rng.randint(1, 3)}"
        jobs.append(Job(number, fate, watch, metadata))
    return jobs


@dataclass
class Tally:
    jobs: int = 0
    streamed_events: int = 0
    lost: int = 0
    repeated: int = 0
    mismatches: list[str] = field(default_factory=lambda: [])

    def record(self, job: Job, raised: BaseException | None, numbers: list[int] | None) -> None:
        self.jobs += 1
        observed = None if raised is None else type(raised)
        if observed is not job.expected:
            self.mismatches.append(
                f"job {job.number} {job.metadata}: expected {job.expected}, got {raised!r}"
            )
        if numbers is not None:
            delivered, raised_at = STREAMED_PER_FATE[job.fate.partition(":")[0]]
            shift = queued_shift(job.metadata)
            delivered, raised_at = delivered + shift, None if raised_at is None else raised_at + shift
            # The event raised in place of being delivered is accounted for by the error it became.
            accounted = [*numbers, *([] if raised is None else [getattr(raised, "sequence_number", None)])]
            expected = [*range(delivered), *([] if raised_at is None else [raised_at])]
            self.streamed_events += len(accounted)
            self.repeated += len(accounted) - len(set(accounted))
            self.lost += len(set(expected) - set(accounted))
            if accounted != expected:
                self.mismatches.append(
                    f"job {job.number} {job.metadata}: events {numbers}, raised {raised!r}"
                )


MODEL = "gpt-4.1-mini"


def run_sync_job(client: obe.OpenAI, job: Job) -> tuple[BaseException | None, list[int] | None]:
    numbers: list[int] | None = None
    try:
        if job.watch == "create_and_poll":
            client.responses.create_and_poll(model=MODEL, input="hi", metadata=job.metadata)
            return None, None
        numbers = []
        if job.watch == "create(stream=True)":
            events: Iterator[Any] = iter(
                client.responses.create(
                    model=MODEL, input="hi", metadata=job.metadata, background=True, stream=True
                )
            )
        else:
            created: Response = client.responses.create(
                model=MODEL, input="hi", metadata=job.metadata, background=True
            )
            events = iter(client.responses.retrieve(created.id, stream=True))
        for event in events:
            numbers.append(event.sequence_number)
    except obe.BackgroundResponseError as error:
        return error, numbers
    return None, numbers


async def run_async_job(client: obe.AsyncOpenAI, job: Job) -> tuple[BaseException | None, list[int] | None]:
    numbers: list[int] | None = None
    try:
        if job.watch == "create_and_poll":
            await client.responses.create_and_poll(model=MODEL, input="hi", metadata=job.metadata)
            return None, None
        numbers = []
        if job.watch == "create(stream=True)":
            stream = await client.responses.create(
                model=MODEL, input="hi", metadata=job.metadata, background=True, stream=True
            )
        else:
            created: Response = await client.responses.create(
                model=MODEL, input="hi", metadata=job.metadata, background=True
            )
            stream = await client.responses.retrieve(created.id, stream=True)
        async for event in stream:
            numbers.append(event.sequence_number)
    except obe.BackgroundResponseError as error:
        return error, numbers
    return None, numbers


def soak(count: int, seed: int) -> tuple[Tally, WebhookTally]:
    before = set(threading.enumerate())
    jobs = plan(count, seed)
    sync_jobs, async_jobs = jobs[: count // 2], jobs[count // 2 :]
    tally = Tally()
    refusals = Refusals(seed)
    with receiving() as receiver, serve(webhook_url=receiver.url, webhook_secret=SECRET) as base_url:
        receiver.answer_for = refusals
        with obe.OpenAI(
            base_url=base_url, api_key="sk-soak", raise_on=RAISE_ON, webhook_secret=SECRET
        ) as client:
            with concurrent.futures.ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                outcomes = pool.map(functools.partial(run_sync_job, client), sync_jobs)
                for job, (raised, numbers) in zip(sync_jobs, outcomes, strict=True):
                    tally.record(job, raised, numbers)

            async def run_async_jobs() -> list[tuple[BaseException | None, list[int] | None]]:
                gate = asyncio.Semaphore(CONCURRENCY)
                async with obe.AsyncOpenAI(
                    base_url=base_url, api_key="sk-soak", raise_on=RAISE_ON
                ) as async_client:

                    async def bounded(job: Job) -> tuple[BaseException | None, list[int] | None]:
                        async with gate:
                            return await run_async_job(async_client, job)

                    return await asyncio.gather(*(bounded(job) for job in async_jobs))

            for job, (raised, numbers) in zip(async_jobs, asyncio.run(run_async_jobs()), strict=True):
                tally.record(job, raised, numbers)

            accepted = refusals.wait_accepted(sum(copies(job.metadata) for job in jobs), WEBHOOK_BOUND_S)
            webhooks = check_deliveries(
                client, {job.number: job for job in jobs}, refusals, accepted, threads=CONCURRENCY
            )

    leftover = [thread for thread in threading.enumerate() if thread not in before]
    for thread in leftover:
        thread.join(JOIN_BOUND_S)
    still_running = [thread.name for thread in leftover if thread.is_alive()]
    print(
        f"soak: seed={seed} jobs={tally.jobs} streamed_events={tally.streamed_events} "
        f"lost={tally.lost} repeated={tally.repeated} mismatches={len(tally.mismatches)} "
        f"threads_left={len(still_running)}"
    )
    print(webhooks.line())
    assert still_running == []
    return tally, webhooks


def _seed() -> int:
    return int(os.environ.get("SOAK_SEED", random.randrange(1 << 32)))


@contextmanager
def _reproducible(seed: int, test_id: str) -> Generator[None, None, None]:
    """Turn a failure into one that says how to rerun this seed alone, in this lane."""
    try:
        yield
    except Exception as error:
        session = os.environ.get("NOX_CURRENT_SESSION")
        runner = (
            f".venv/bin/nox -s {session} --force-python python3 -- -n 0 -s"
            if session
            else "scripts/test -n 0 -s"
        )
        raise AssertionError(
            f"soak failed with seed={seed} ({LANE}); rerun this seed alone: "
            f"SOAK_SEED={seed} {runner} {test_id}"
        ) from error


def _check(tallies: tuple[Tally, WebhookTally], count: int) -> None:
    tally, webhooks = tallies
    assert tally.jobs == count
    assert tally.mismatches == []
    assert (tally.lost, tally.repeated) == (0, 0)
    assert webhooks.mismatches == []
    assert (webhooks.delivered, webhooks.lost) == (count, 0)
    assert webhooks.repeated == webhooks.duplicates_scripted


def test_small_soak() -> None:
    seed = _seed()
    with _reproducible(seed, "tests/test_soak.py::test_small_soak"):
        _check(soak(40, seed), 40)


@pytest.mark.soak
def test_full_soak() -> None:
    seed = _seed()
    with _reproducible(seed, "-m soak tests/test_soak.py::test_full_soak"):
        _check(soak(500, seed), 500)
