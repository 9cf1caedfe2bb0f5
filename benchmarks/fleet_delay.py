"""fleet_delay: time from a fleet's last job turning terminal to `poll_many` yielding it, over its hint.

The fleets are `_fleet`'s. Their last job (the sentinel) is cancelled right after
`poll_many`'s answer to one of its polls, once every other job of the fleet has
turned terminal, so no client that waits the hint can learn of it before its next
poll, one hint later: the worst case, as in `poll_delay`, but with the rest of the
fleet still being polled and yielded. The clock starts when the emulator marks the
job cancelled and stops when `poll_many` yields its outcome; an ideal client scores
1.00 plus one request's latency over the hint. One sample per fleet; the detail also
gives every job's (outcome yielded - terminal) over its hint, whose phase is random.
"""

from __future__ import annotations

import statistics

from ._fleet import FleetJob, traced_fleets
from ._harness import Figure, summarize


def delay_over_hint(job: FleetJob) -> float:
    return (job.yielded_at - job.terminal_at) / job.hint_s


def run(*, quick: bool) -> Figure:
    fleets = traced_fleets(quick=quick)
    ratios = [delay_over_hint(fleet.sentinel) for fleet in fleets]
    every = sorted(delay_over_hint(job) for fleet in fleets for job in fleet.jobs)
    return Figure(
        "fleet_delay",
        summarize(ratios),
        target=1.10,
        detail=(
            f"last job cancelled right after poll_many's answer, once the other {len(fleets[0].jobs) - 1:,} "
            f"had ended; hints {', '.join(f'{fleet.sentinel.hint_s * 1000:.0f}ms' for fleet in fleets)}; "
            f"every job's delay / hint: median {statistics.median(every):.2f}, "
            f"p99 {every[int(len(every) * 0.99)]:.2f}, max {every[-1]:.2f}"
        ),
    )
