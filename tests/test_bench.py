"""`scripts/bench --quick` runs and prints every figure and probe. Nothing here is timed: the numbers are not asserted.

The fleet's minimum (`benchmarks.fleet_requests.minimum_gets`) is checked on made-up traces.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from benchmarks._fleet import FleetJob, Get
from benchmarks.fleet_requests import lateness, minimum_gets

ROOT = Path(__file__).resolve().parent.parent
FIGURES = (
    "retrieve",
    "retrieve_failed",
    "stream",
    "classify",
    "import",
    "poll_requests",
    "wait_requests",
    "poll_delay",
    "resume_bytes",
    "fleet_requests",
    "fleet_delay",
)


def test_quick_bench_prints_every_figure() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "bench"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    pattern = r"bench: " + " ".join(rf"{name}=\d+\.\d+" for name in FIGURES)
    assert re.fullmatch(pattern, lines[-1]), lines[-1]
    # The tracked-jobs probe: printed before the summary, one line per way, every job tracked.
    for way in ("poll_many", "webhooks"):
        assert any(re.match(rf"\s+{way}: (\d+)/\1 jobs tracked to the end in ", line) for line in lines), (
            result.stdout
        )


def _job(hint_s: float, terminal_at: float, polls: list[tuple[float, float, float]]) -> FleetJob:
    return FleetJob("resp_x", hint_s, terminal_at=terminal_at, gets=[Get(*poll) for poll in polls])


def test_the_minimum_of_a_client_that_waits_exactly_the_hint() -> None:
    # Hint 1 s, terminal at 2.5 s; each exchange: read 0.01 s after sending, answered 0.01 s later.
    # Polls read at 0, 1.02 (answered 0.01, sent 1.01, read 1.02), 2.04, 3.06: the fourth sees the end.
    exact = [(t - 0.01, t, t + 0.01) for t in (0.0, 1.02, 2.04, 3.06)]
    assert minimum_gets(_job(1.0, 2.5, exact)) == 4
    assert lateness(_job(1.0, 2.5, exact)) == pytest.approx([0.0, 0.0, 0.0])
    # Terminal just after the third read: still the fourth poll. Just before it: the third.
    assert minimum_gets(_job(1.0, 2.0401, exact)) == 4
    assert minimum_gets(_job(1.0, 2.0399, exact)) == 3
    # A job already over at the first poll needs that poll only.
    assert minimum_gets(_job(1.0, -5.0, exact[:1])) == 1


def test_a_late_client_can_make_fewer_gets_than_the_minimum_never_more() -> None:
    # Waits 0.5 s past the hint: reads at 0, 1.52, 3.04. The end (2.5) is seen at the third poll,
    # where the client that waits exactly the hint needs four (as above): fewer, and late.
    late = [(t - 0.01, t, t + 0.01) for t in (0.0, 1.52, 3.04)]
    job = _job(1.0, 2.5, late)
    assert len(job.gets) == 3
    assert minimum_gets(job) == 4
    assert lateness(job) == pytest.approx([0.5, 0.5])
