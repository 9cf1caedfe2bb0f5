"""wait_requests: GETs a waiting `create(background=True)` makes on the local server against the minimum its hints allow.

The jobs are `poll_requests`' (`JOBS`: `queue_ms`, `run_ms`, hint h), created by a client
made with `wait_for_background=True`. The create's own answer (the job `queued`,
at about 0) carries the first hint: a client that waits exactly the hint after
every answer polls at h, 2h, ... and sees the terminal status at the first poll at
or after T = queue_ms + run_ms: `ceil(T / h)` GETs, one fewer than `poll` started
at once needs. Polling right after the create, before the hint it asked for, would
show here as a figure above 1.00.
"""

from __future__ import annotations

import itertools
import math

import openai_background_errors as obe

from ._emulator import counted_client
from ._fixtures import ByteCounter
from ._harness import Figure, summarize
from .poll_requests import count_requests


def minimum_gets(queue_ms: int, run_ms: int, hint_ms: int) -> int:
    return math.ceil((queue_ms + run_ms) / hint_ms)


def _wait_for_job(base_url: str, job: tuple[int, int, int]) -> tuple[int, list[float]]:
    """Create one scripted job with a waiting client: the GETs it made, and each wait before a request."""
    queue_ms, run_ms, hint_ms = job
    counter = ByteCounter()
    client = counted_client(obe.OpenAI, base_url, counter).with_options(wait_for_background=True)
    response = client.responses.create(
        model="gpt-4.1-mini",
        input="hi",
        background=True,
        metadata={
            "emulator.queue_ms": str(queue_ms),
            "emulator.run_ms": str(run_ms),
            "emulator.poll_after_ms": str(hint_ms),
        },
    )
    client.close()
    assert response.status == "completed", response.status
    exchanges = counter.exchanges
    assert exchanges[0].method == "POST", exchanges[0]
    gets = [exchange for exchange in exchanges if exchange.method == "GET"]
    assert len(gets) == len(exchanges) - 1, exchanges
    waits = [after.sent - before.answered for before, after in itertools.pairwise(exchanges)]
    return len(gets), waits


def run(*, quick: bool) -> Figure:
    counted = count_requests(_wait_for_job, minimum_gets, quick=quick)
    return Figure(
        "wait_requests",
        summarize(counted.ratios),
        target=1.00,
        exact=True,
        total=counted.made / counted.minimum,
        detail=(
            f"A {counted.made} GETs made by create(background=True) with wait_for_background over "
            f"{counted.jobs} jobs, B {counted.minimum} allowed by the hints (the create's own first); "
            f"shortest wait {counted.shortest_wait:.2f} hint"
        ),
    )
