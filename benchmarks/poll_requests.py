"""poll_requests: requests `poll` makes on the local server against the minimum its hints allow.

Each job is scripted with `queue_ms`, `run_ms` and `poll_after_ms` (the hint). A
client that waits exactly the hint between polls, starting at once, polls at
0, h, 2h, ... and sees the terminal status at the first poll at or after
T = queue_ms + run_ms: `ceil(T / h) + 1` requests. No hint-respecting client can
do with fewer without waiting past the hint. T sits half a hint away from a
multiple of h and jobs need at most four polls, so request latency (which
delays every later poll a little) cannot move a poll across T. A first,
untimed job warms up the server and the SDK's lazily imported modules.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import openai_background_errors as obe
from openai_background_errors.emulator import serve

from ._emulator import counted_client
from ._fixtures import ByteCounter
from ._harness import Figure, summarize

# (queue_ms, run_ms, poll_after_ms)
JOBS = ((0, 100, 200), (50, 250, 200), (100, 400, 200), (0, 375, 250))


def minimum_requests(queue_ms: int, run_ms: int, hint_ms: int) -> int:
    return math.ceil((queue_ms + run_ms) / hint_ms) + 1


def _poll_job(base_url: str, job: tuple[int, int, int]) -> tuple[int, list[float]]:
    """Poll one scripted job to its end: the GETs poll made, and the waits between an answer and the next GET."""
    queue_ms, run_ms, hint_ms = job
    counter = ByteCounter()
    client = counted_client(obe.OpenAI, base_url, counter)
    created = client.responses.create(
        model="gpt-4.1-mini",
        input="hi",
        background=True,
        metadata={
            "emulator.queue_ms": str(queue_ms),
            "emulator.run_ms": str(run_ms),
            "emulator.poll_after_ms": str(hint_ms),
        },
    )
    first = len(counter.exchanges)
    response = client.responses.poll(created.id)
    client.close()
    assert response.status == "completed", response.status
    polls = counter.exchanges[first:]
    waits = [after.sent - before.answered for before, after in itertools.pairwise(polls)]
    return len(polls), waits


@dataclass
class Counted:
    """What one benchmark's jobs made against what their hints allow."""

    jobs: int
    ratios: list[float]
    made: int
    minimum: int
    shortest_wait: float
    """The shortest wait before a request, in hints."""


def count_requests(
    measure: Callable[[str, tuple[int, int, int]], tuple[int, list[float]]],
    minimum: Callable[[int, int, int], int],
    *,
    quick: bool,
) -> Counted:
    """Run `measure` (requests made and waits, for one scripted job) over `JOBS` on a local server,
    after an untimed warm-up job, and count against `minimum`."""
    jobs = JOBS if quick else JOBS * 3
    counted = Counted(len(jobs), [], 0, 0, float("inf"))
    with serve() as base_url:
        measure(base_url, (0, 20, 10))
        for queue_ms, run_ms, hint_ms in jobs:
            requests, waits = measure(base_url, (queue_ms, run_ms, hint_ms))
            least = minimum(queue_ms, run_ms, hint_ms)
            counted.ratios.append(requests / least)
            counted.made += requests
            counted.minimum += least
            counted.shortest_wait = min([counted.shortest_wait, *(wait / (hint_ms / 1000) for wait in waits)])
    return counted


def run(*, quick: bool) -> Figure:
    counted = count_requests(_poll_job, minimum_requests, quick=quick)
    return Figure(
        "poll_requests",
        summarize(counted.ratios),
        target=1.00,
        exact=True,
        total=counted.made / counted.minimum,
        detail=(
            f"A {counted.made} GETs made by poll over {counted.jobs} jobs, B {counted.minimum} allowed by "
            f"the hints; shortest wait {counted.shortest_wait:.2f} hint (jobs {', '.join(f'T={q + r}ms/h={h}ms' for q, r, h in JOBS)})"
        ),
    )
