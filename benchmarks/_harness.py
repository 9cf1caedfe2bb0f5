"""Paired sampling and the summary every figure prints.

Timed figures run A and B alternately (A B, then B A, so neither always runs
second on a warm cache) and keep the ratio of each pair; the figure is the
median of those ratios and the spread is their quartiles and range. In-process
figures time with the thread's CPU clock, which a loaded machine disturbs far
less than the wall clock, and each sample keeps its least disturbed batch
(`best_per_call`); figures about waiting use the wall clock.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Figure", "Summary", "best_per_call", "cpu_seconds", "paired_ratios", "summarize"]


@dataclass(frozen=True)
class Summary:
    """The median of some ratios, with their quartiles and range."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    count: int

    def spread(self, digits: int = 2) -> str:
        return (
            f"n={self.count} IQR {self.q1:.{digits}f}-{self.q3:.{digits}f} "
            f"range {self.low:.{digits}f}-{self.high:.{digits}f}"
        )


@dataclass(frozen=True)
class Figure:
    """One measured figure: its value against its target, how it spread, and what A and B did."""

    name: str
    summary: Summary
    target: float
    exact: bool = False
    """True when the target is an equality (`= target`), else an upper bound (`<= target`)."""
    digits: int = 2
    detail: str = ""
    total: float | None = None
    """The figure when it is a ratio of totals rather than the median of the samples' ratios."""

    @property
    def value(self) -> float:
        return self.summary.median if self.total is None else self.total

    @property
    def met(self) -> bool:
        rounded = round(self.value, self.digits)
        return rounded == self.target if self.exact else rounded <= self.target

    def formatted(self) -> str:
        return f"{self.value:.{self.digits}f}"

    def report(self) -> str:
        relation = "=" if self.exact else "<="
        verdict = "ok" if self.met else "MISSES TARGET"
        return (
            f"{self.name:<16} {self.formatted():>7}  target {relation} {self.target:g}  {verdict}\n"
            f"{'':<16} spread: {self.summary.spread(self.digits)}\n"
            f"{'':<16} {self.detail}"
        )


def summarize(ratios: Sequence[float]) -> Summary:
    """Median, quartiles and range of `ratios` (at least one)."""
    if not ratios:
        raise ValueError("no samples to summarize")
    ordered = sorted(ratios)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return Summary(statistics.median(ordered), q1, q3, ordered[0], ordered[-1], len(ordered))


def cpu_seconds() -> float:
    """This thread's CPU time: what the work cost, without the time other processes took the core."""
    return time.thread_time()


def best_per_call(call: Callable[[], object], *, calls: int, repeats: int) -> float:
    """CPU seconds per call of `call`: the best of `repeats` batches of `calls` calls.

    The best batch is the one the rest of the machine disturbed least, as with `timeit`.
    """
    best = float("inf")
    for _ in range(repeats):
        started = cpu_seconds()
        for _ in range(calls):
            call()
        best = min(best, cpu_seconds() - started)
    return best / calls


def _sample(run: Callable[[], float]) -> float:
    gc.collect()
    return run()


def paired_ratios(
    run_a: Callable[[], float], run_b: Callable[[], float], pairs: int
) -> tuple[list[float], list[float], list[float]]:
    """Run A and B `pairs` times each, interleaved, alternating which goes first.

    Each callable does one sample of work and returns its cost. Returns the
    ratios A/B of each pair, and the costs of A and of B.
    """
    ratios: list[float] = []
    costs_a: list[float] = []
    costs_b: list[float] = []
    for index in range(pairs):
        if index % 2 == 0:
            a = _sample(run_a)
            b = _sample(run_b)
        else:
            b = _sample(run_b)
            a = _sample(run_a)
        costs_a.append(a)
        costs_b.append(b)
        ratios.append(a / b)
    return ratios, costs_a, costs_b
