"""Run every benchmark and print one line of figures: `python -m benchmarks [--quick]`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from . import (
    classify,
    fleet_delay,
    fleet_requests,
    import_time,
    poll_delay,
    poll_requests,
    resume_bytes,
    retrieve,
    retrieve_failed,
    stream,
    tracked_jobs,
    wait_requests,
)
from ._harness import Figure


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# In the order of the final line.
BENCHMARKS: tuple[tuple[str, Callable[..., Figure]], ...] = (
    ("retrieve", retrieve.run),
    ("retrieve_failed", retrieve_failed.run),
    ("stream", stream.run),
    ("classify", classify.run),
    ("import", import_time.run),
    ("poll_requests", poll_requests.run),
    ("wait_requests", wait_requests.run),
    ("poll_delay", poll_delay.run),
    ("resume_bytes", resume_bytes.run),
    ("fleet_requests", fleet_requests.run),
    ("fleet_delay", fleet_delay.run),
)
# Printed after the figures, without a target and not on the final line.
PROBES: tuple[tuple[str, Callable[..., str]], ...] = (("tracked_jobs", tracked_jobs.run),)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer samples: under a minute on 2 cores")
    parser.add_argument(
        "--only",
        action="append",
        choices=[name for name, _ in (*BENCHMARKS, *PROBES)],
        help="run only these figures (and probes)",
    )
    args = parser.parse_args(argv)
    quick: bool = args.quick
    only: list[str] | None = args.only
    _say(
        f"bench: {'quick' if quick else 'full'} run; each figure is A (project) / B (stock openai), "
        "A and B interleaved, median of pairs"
    )
    started = time.monotonic()
    figures: list[Figure] = []
    for name, run in BENCHMARKS:
        if only and name not in only:
            continue
        began = time.monotonic()
        figure = run(quick=quick)
        _say(f"{figure.report()}  [{time.monotonic() - began:.1f}s]")
        figures.append(figure)
    for name, probe in PROBES:
        if only and name not in only:
            continue
        began = time.monotonic()
        lines = probe(quick=quick).splitlines()
        _say(f"{name:<16} {lines[0]}  [{time.monotonic() - began:.1f}s]")
        for line in lines[1:]:
            _say(f"{'':<16} {line}")
    missed = [figure.name for figure in figures if not figure.met]
    _say(
        f"bench: {len(figures) - len(missed)}/{len(figures)} figures on target"
        + (f"; missing: {', '.join(missed)}" if missed else "")
        + f"; {time.monotonic() - started:.0f}s"
    )
    _say("bench: " + " ".join(f"{figure.name}={figure.formatted()}" for figure in figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
