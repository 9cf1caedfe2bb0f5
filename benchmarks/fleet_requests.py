"""fleet_requests: GETs `poll_many` makes over a fleet of jobs, against the minimum their hints allow.

The fleets are `_fleet`'s: at least 1,000 jobs each (in the full run) with mixed
durations and `openai-poll-after-ms` hints, watched by one `poll_many`.

The minimum, job by job. Take a job with hint h that turns terminal at instant E,
and the polls `poll_many` made of it, k = 1..n: sent at s_k, the server's status
read at r_k, the answer back at a_k. The client the minimum describes polls first
when `poll_many` did and then exactly one hint after each answer, its exchanges
taking as long as `poll_many`'s did (past the n-th, as long as the n-th). Its k-th
poll is read at

    r*_1 = r_1,    r*_(k+1) = r*_k + (a_k - r_k) + h + (r_(k+1) - s_(k+1))

and it learns the outcome at its first poll read at or after E: the minimum is the
smallest k with r*_k >= E. A client that waits less than a hint breaks the hint; one
that waits more learns the outcome later. The first poll is taken as `poll_many`
made it: how soon a fleet's first polls go out is a matter of delay, not of requests.

What the figure can show: `poll_many` waits at least a hint after every answer, so
its k-th poll is read no earlier than r*_k and every poll before its last was read
before E, so it cannot make more GETs than the minimum unless it polls before a
hint or repeats a poll (that is what a figure above 1.00 would mean). It makes
fewer when its waits run past the hint far enough to skip a poll that the minimum
needed; how far they ran past (its lateness) is printed.
"""

from __future__ import annotations

import itertools
import statistics

from ._fleet import FleetJob, traced_fleets
from ._harness import Figure, summarize


def minimum_gets(job: FleetJob) -> int:
    """The GETs a client that polls exactly one hint after each answer needs for `job` (see above)."""
    gets = job.gets

    def at(index: int) -> int:
        return min(index, len(gets) - 1)

    read = gets[0].read
    count = 1
    while read < job.terminal_at:
        before, after = gets[at(count - 1)], gets[at(count)]
        read += (before.answered - before.read) + job.hint_s + (after.read - after.sent)
        count += 1
    return count


def lateness(job: FleetJob) -> list[float]:
    """How long past the hint each of `job`'s polls after the first was sent (negative: early)."""
    return [after.sent - (before.answered + job.hint_s) for before, after in itertools.pairwise(job.gets)]


def check_trace(job: FleetJob) -> None:
    """The polls agree with the terminal instant: only the last was read at or after it."""
    reads = [get.read for get in job.gets]
    assert reads[-1] >= job.terminal_at, (job.response_id, reads, job.terminal_at)
    assert all(read < job.terminal_at for read in reads[:-1]), (job.response_id, reads, job.terminal_at)


def run(*, quick: bool) -> Figure:
    fleets = traced_fleets(quick=quick)
    ratios: list[float] = []
    made = minimum = fewer = more = 0
    late: list[float] = []
    late_over_hint: list[float] = []
    rates: list[str] = []
    for fleet in fleets:
        fleet_made = fleet_minimum = 0
        for job in fleet.jobs:
            check_trace(job)
            least = minimum_gets(job)
            fleet_made += len(job.gets)
            fleet_minimum += least
            fewer += len(job.gets) < least
            more += len(job.gets) > least
            waits = lateness(job)
            late += waits
            late_over_hint += [wait / job.hint_s for wait in waits]
        ratios.append(fleet_made / fleet_minimum)
        made += fleet_made
        minimum += fleet_minimum
        asked = sum(1 / job.hint_s for job in fleet.jobs)
        rates.append(
            f"{len(fleet.jobs)} jobs, {fleet_made / fleet.polling_s:.0f} GETs/s (hints ask {asked:.0f}/s at first)"
        )
    ordered = sorted(late)
    early = sum(wait < 0 for wait in late)
    return Figure(
        "fleet_requests",
        summarize(ratios),
        target=1.05,
        total=made / minimum,
        detail=(
            f"A {made:,} GETs made by poll_many, B {minimum:,} the hints allow; jobs with fewer GETs than "
            f"B: {fewer}, more: {more}; waits past the hint: median {statistics.median(ordered) * 1000:.1f} ms, "
            f"p99 {ordered[int(len(ordered) * 0.99)] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms "
            f"(at most {max(late_over_hint):.3f} of a hint), early polls {early}; fleets: {'; '.join(rates)}"
        ),
        digits=3,
    )
