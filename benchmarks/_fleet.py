"""A fleet of scripted jobs watched by one `poll_many`, with every poll timed on both sides.

`fleet_requests` and `fleet_delay` read the same runs (made once per bench run,
`traced_fleets`). Each run creates `jobs` background jobs on an in-process
emulator, with mixed durations and `openai-poll-after-ms` hints drawn from a
seeded RNG, plus one sentinel job that runs until it is cancelled, and then
iterates `client.responses.poll_many(ids)` (the default `max_concurrency`) to
the end.

What is recorded, all on the one monotonic clock the emulator also keeps time by
(it runs in this process):

- each job's terminal instant: the emulator's own record of when it was created
  plus its scripted `queue_ms + run_ms`, or, for the sentinel, when the emulator
  marked it cancelled;
- each GET of a job: when the client sent it and received the answer (the client's
  transport), and when the emulator read its clock to compute the status it
  answered (the app's clock, wrapped);
- when `poll_many` yielded the job's outcome.

While `poll_many` runs, the heap is frozen (`gc.freeze`): the emulator's thousands
of stored jobs share the process, and a full collection rescanning them stopped
server and client together for 100 ms and more, a pause no real client has.

The sentinel is cancelled right after the first answer to one of its polls that
arrives once every other job has turned terminal (from the client's transport, as
that answer arrives): it is the last job to end, and it ends at the worst moment
for a poller, just after a poll was answered.
"""

from __future__ import annotations

import functools
import gc
import random
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

import openai
from starlette.types import ASGIApp, Receive, Scope, Send

import openai_background_errors as obe
from openai_background_errors.emulator import create_app, run_in_thread

from ._emulator import counted_client, mixed_script
from ._fixtures import ByteCounter, Exchange

__all__ = ["FleetJob", "FleetRun", "Get", "traced_fleets"]

MODEL = "gpt-4.1-mini"
SENTINEL_RUN_MS = 600_000
"""Long enough that the sentinel only ends when it is cancelled."""


@dataclass(frozen=True)
class Shape:
    """How one fleet's jobs are drawn."""

    jobs: int
    hints_ms: tuple[int, ...]
    queue_ms: tuple[int, int]
    run_ms: tuple[int, int]
    sentinel_hint_ms: int
    seed: int


# Hints long enough for this process (client and server) to poll each fleet on time on a
# 2-core machine: the GETs per second the hints ask for and those made are printed.
FULL = (
    Shape(1000, (4000, 5000, 6000, 8000, 10000), (0, 2000), (2000, 28000), 2000, seed=1),
    Shape(1000, (3000, 5000, 7000, 10000), (0, 1000), (1000, 24000), 3000, seed=2),
)
QUICK = (Shape(100, (400, 500, 750), (0, 200), (200, 1500), 400, seed=1),)


@dataclass(frozen=True)
class Get:
    """One poll of one job (monotonic seconds)."""

    sent: float
    read: float
    """When the server read its clock to compute the status it answered."""
    answered: float


@dataclass
class FleetJob:
    response_id: str
    hint_s: float
    sentinel: bool = False
    terminal_at: float = 0.0
    """When the job turned terminal, by the emulator's clock."""
    gets: list[Get] = field(default_factory=lambda: [])
    yielded_at: float = 0.0


@dataclass(frozen=True)
class FleetRun:
    shape: Shape
    jobs: tuple[FleetJob, ...]
    polling_s: float
    """From calling `poll_many` to its last outcome."""

    @property
    def sentinel(self) -> FleetJob:
        return next(job for job in self.jobs if job.sentinel)


class _PollReads:
    """When the emulator read its clock to answer each poll (a non-streaming GET) of each response.

    `clock` is given to the app as its clock and `wrap` goes around the app: while a poll is
    being answered, the last clock reading is the one the job's status was computed from.
    """

    def __init__(self) -> None:
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        self._reads: ContextVar[list[float] | None] = ContextVar("poll_reads", default=None)

    def clock(self) -> float:
        now = time.monotonic()
        reads = self._reads.get()
        if reads is not None:
            reads.append(now)
        return now

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def recording(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["method"] != "GET" or b"stream=" in scope["query_string"]:
                await app(scope, receive, send)
                return
            reads: list[float] = []
            token = self._reads.set(reads)
            try:
                await app(scope, receive, send)
            finally:
                self._reads.reset(token)
            if reads:
                self.times[_response_id(str(scope["path"]))].append(reads[-1])

        return recording


def _response_id(url: str) -> str:
    return url.partition("?")[0].rpartition("/")[2]


def _create(client: openai.OpenAI, shape: Shape) -> list[FleetJob]:
    """The fleet's jobs, drawn from `shape`'s seed, then its sentinel (last)."""
    rng = random.Random(shape.seed)
    jobs: list[FleetJob] = []
    for _ in range(shape.jobs):
        metadata = mixed_script(rng, queue_ms=shape.queue_ms, run_ms=shape.run_ms, hints_ms=shape.hints_ms)
        created = client.responses.create(model=MODEL, input="hi", background=True, metadata=metadata)
        jobs.append(FleetJob(created.id, int(metadata["emulator.poll_after_ms"]) / 1000))
    metadata = {
        "emulator.queue_ms": "0",
        "emulator.run_ms": str(SENTINEL_RUN_MS),
        "emulator.poll_after_ms": str(shape.sentinel_hint_ms),
    }
    created = client.responses.create(model=MODEL, input="hi", background=True, metadata=metadata)
    jobs.append(FleetJob(created.id, shape.sentinel_hint_ms / 1000, sentinel=True))
    return jobs


def _run(shape: Shape) -> FleetRun:
    reads = _PollReads()
    app = create_app(clock=reads.clock)
    try:
        with (
            run_in_thread(reads.wrap(app)) as root,
            openai.OpenAI(api_key="emulator", base_url=f"{root}/v1") as setup,
        ):
            jobs = _create(setup, shape)
            *others, sentinel = jobs
            for job in others:
                stored = app.store.get(job.response_id)
                assert stored is not None
                job.terminal_at = stored.started + stored.terminal_s
            others_end = max(job.terminal_at for job in others)
            cancelled = threading.Event()

            def on_answer(exchange: Exchange) -> None:
                # Called in the transport, before poll_many has the answer: the wait it then
                # starts begins after the cancel, if anything overstating the delay.
                if (
                    exchange.method == "GET"
                    and _response_id(exchange.url) == sentinel.response_id
                    and exchange.answered > others_end
                    and not cancelled.is_set()
                ):
                    cancelled.set()
                    setup.responses.cancel(sentinel.response_id)

            by_id = {job.response_id: job for job in jobs}
            counter = ByteCounter(on_answer=on_answer)
            # The emulator's stored jobs (a timeline of bodies each) are a heap no real client holds;
            # frozen, the collector's full passes do not rescan them and stop the whole process,
            # server and client, in the middle of the fleet.
            gc.collect()
            gc.freeze()
            try:
                with counted_client(obe.OpenAI, f"{root}/v1", counter) as client:
                    started = time.monotonic()
                    for outcome in client.responses.poll_many(list(by_id)):
                        by_id[outcome.response_id].yielded_at = time.monotonic()
                        assert outcome.response is not None, outcome
                    polling_s = time.monotonic() - started
            finally:
                gc.unfreeze()
            stored = app.store.get(sentinel.response_id)
            assert stored is not None and stored.cancelled_at is not None
            sentinel.terminal_at = stored.started + stored.cancelled_at
    finally:
        app.close()
    _attach_gets(by_id, counter.exchanges, reads.times)
    return FleetRun(shape, tuple(jobs), polling_s)


def _attach_gets(
    by_id: dict[str, FleetJob], exchanges: Sequence[Exchange], reads: dict[str, list[float]]
) -> None:
    """Pair each job's GETs as the client saw them with the server's clock readings, in order."""
    client_side: defaultdict[str, list[Exchange]] = defaultdict(list)
    for exchange in exchanges:
        if exchange.method == "GET":
            client_side[_response_id(exchange.url)].append(exchange)
    for response_id, job in by_id.items():
        sent = client_side[response_id]
        read = reads.get(response_id, [])
        # Equal counts: no GET was retried by the SDK or lost on the way.
        assert len(sent) == len(read), (response_id, len(sent), len(read))
        job.gets = [
            Get(exchange.sent, at, exchange.answered) for exchange, at in zip(sent, read, strict=True)
        ]


@functools.cache
def traced_fleets(*, quick: bool) -> tuple[FleetRun, ...]:
    """The fleet runs of this bench run (made on first use, then shared by both figures)."""
    return tuple(_run(shape) for shape in (QUICK if quick else FULL))
