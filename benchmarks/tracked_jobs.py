"""tracked_jobs (printed, no target): jobs one process tracks to the end, by `poll_many` and by webhooks.

Each way runs in a fresh process (`python -m benchmarks.tracked_jobs --way poll|webhooks
--jobs N`), so that its peak memory is its own; the emulator runs in a process of its
own too, as the API would. The process creates N background jobs (mixed fates,
durations and `openai-poll-after-ms` hints, from a seeded RNG) and tracks every one
to its outcome:

- poll: one `client.responses.poll_many(ids)`;
- webhooks: the emulator POSTs each job's end to a receiver in the process
  (examples/webhook_receiver.py's app on uvicorn), which verifies it, answers, and
  calls `client.responses.from_webhook` once per `webhook-id`.

It prints one JSON line: the jobs tracked to an outcome, the wall time from the first
create to the last outcome (and how long the creates took), the requests the emulator
counted per job (GETs of a response; webhook POSTs), the latest outcome after its job's
scripted end (counted from when its create was sent, so if anything overstated), and
peak memory: the process's peak resident set size, `VmHWM` in /proc/self/status, the
interpreter and its imports included, so the value just before the first create is
given too. Not `resource.getrusage(...).ru_maxrss`: on Linux a process started with
fork and exec keeps its parent's peak there, which would report the bench's own.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
from examples.webhook_receiver import receiver_app
from openai.types.responses import Response

import openai_background_errors as obe
from openai_background_errors.emulator import new_webhook_secret, run_in_thread

from ._emulator import mixed_script
from ._fixtures import ROOT

__all__ = ["run"]

MODEL = "gpt-4.1-mini"
FULL_JOBS = 5000
QUICK_JOBS = 100
CREATE_THREADS = 8
OUTCOME_GRACE_S = 120.0
"""How long after the last job's scripted end the webhook way waits for outcomes still missing."""
WAYS = ("poll", "webhooks")


@dataclass(frozen=True)
class Shape:
    queue_ms: tuple[int, int]
    run_ms: tuple[int, int]
    hints_ms: tuple[int, ...]


FULL = Shape((0, 1000), (15000, 30000), (2000, 5000, 10000))
QUICK = Shape((0, 100), (200, 1000), (250, 500))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _emulator(port: int, webhook: tuple[str, str] | None) -> Generator[str, None, None]:
    """The emulator's command line in a process of its own; yields its base URL."""
    command = [sys.executable, "-m", "openai_background_errors.emulator", "--port", str(port)]
    if webhook is not None:
        command += ["--webhook-url", webhook[0], "--webhook-secret", webhook[1]]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        try:
            yield process.stdout.readline().strip()
        finally:
            process.terminate()  # it exits 0 on SIGTERM, after stopping cleanly
            process.wait(timeout=30)


def _peak_rss_mb() -> float:
    """This process's peak resident set size: `VmHWM` in /proc/self/status (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status: peak memory is measured on Linux only")


def _create(client: obe.OpenAI, scripts: list[dict[str, str]]) -> dict[str, float]:
    """Create every job (a few threads at once): each id with its scripted end, from its create's send."""

    def one(metadata: dict[str, str]) -> tuple[str, float]:
        sent = time.monotonic()
        created = client.responses.create(model=MODEL, input="hi", background=True, metadata=metadata)
        lasts_ms = int(metadata["emulator.queue_ms"]) + int(metadata["emulator.run_ms"])
        return created.id, sent + lasts_ms / 1000

    with concurrent.futures.ThreadPoolExecutor(CREATE_THREADS) as pool:
        return dict(pool.map(one, scripts))


def _counts(base_url: str) -> tuple[int, int]:
    """GETs of a response and webhook POSTs, as the emulator counted them over every job."""
    with openai.OpenAI(api_key="emulator", base_url=base_url) as stock:
        stats: Any = stock.get("/emulator/responses", cast_to=object)
    jobs: list[dict[str, Any]] = stats["data"]
    return sum(int(job["polls"]) for job in jobs), sum(int(job["webhook_attempts"]) for job in jobs)


@dataclass
class Tracked:
    """What one way of tracking saw: when each outcome arrived, and what the emulator counted."""

    began: float = 0.0
    created: float = 0.0
    ends: dict[str, float] = field(default_factory=lambda: {})
    """Each job's scripted end, counted from when its create was sent."""
    outcomes: dict[str, float] = field(default_factory=lambda: {})
    gets: int = 0
    posts: int = 0

    def create(self, client: obe.OpenAI, scripts: list[dict[str, str]]) -> list[str]:
        self.began = time.monotonic()
        self.ends = _create(client, scripts)
        self.created = time.monotonic()
        return list(self.ends)


def _by_polling(scripts: list[dict[str, str]]) -> Tracked:
    tracked = Tracked()
    with _emulator(_free_port(), None) as base_url:
        with obe.OpenAI(api_key="emulator", base_url=base_url) as client:
            for outcome in client.responses.poll_many(tracked.create(client, scripts)):
                tracked.outcomes[outcome.response_id] = time.monotonic()
        tracked.gets, tracked.posts = _counts(base_url)
    return tracked


def _by_webhooks(scripts: list[dict[str, str]]) -> Tracked:
    tracked = Tracked()
    every = threading.Event()
    secret = new_webhook_secret()
    # The receiver's client must know the emulator's URL before the emulator knows the receiver's.
    port = _free_port()
    receiver_client = obe.AsyncOpenAI(
        api_key="emulator", base_url=f"http://127.0.0.1:{port}/v1", webhook_secret=secret
    )

    loops: list[asyncio.AbstractEventLoop] = []

    async def on_outcome(outcome: Response | obe.BackgroundResponseError) -> None:
        # On the receiver's event loop: one thread, so no lock.
        loops[:] = [asyncio.get_running_loop()]
        response_id = outcome.id if isinstance(outcome, Response) else str(outcome.response_id)
        tracked.outcomes.setdefault(response_id, time.monotonic())
        if len(tracked.outcomes) == len(scripts):
            every.set()

    last_end_s = max(int(m["emulator.queue_ms"]) + int(m["emulator.run_ms"]) for m in scripts) / 1000
    with run_in_thread(receiver_app(receiver_client, on_outcome)) as root:
        with _emulator(port, (f"{root}/webhooks/openai", secret)) as base_url:
            with obe.OpenAI(api_key="emulator", base_url=base_url) as client:
                tracked.create(client, scripts)
            every.wait(max(0.0, tracked.began + last_end_s + OUTCOME_GRACE_S - time.monotonic()))
            tracked.gets, tracked.posts = _counts(base_url)
            if loops:  # closed on the receiver's loop, while it runs
                asyncio.run_coroutine_threadsafe(receiver_client.close(), loops[0]).result(timeout=30)
    return tracked


def track(way: str, count: int, shape: Shape) -> dict[str, Any]:
    """Create `count` jobs and track them all `way`; what it took (see the module docstring)."""
    rng = random.Random(15)
    scripts = [
        mixed_script(rng, queue_ms=shape.queue_ms, run_ms=shape.run_ms, hints_ms=shape.hints_ms)
        for _ in range(count)
    ]
    before_mb = _peak_rss_mb()
    tracked = _by_polling(scripts) if way == "poll" else _by_webhooks(scripts)
    outcomes = dict(tracked.outcomes)
    return {
        "way": way,
        "jobs": count,
        "tracked": len(outcomes),
        "wall_s": max(outcomes.values(), default=tracked.began) - tracked.began,
        "create_s": tracked.created - tracked.began,
        "gets_per_job": tracked.gets / count,
        "posts_per_job": tracked.posts / count,
        "hints_ask_per_s": sum(1000 / int(m["emulator.poll_after_ms"]) for m in scripts),
        "latest_after_end_s": max((at - tracked.ends[key] for key, at in outcomes.items()), default=0.0),
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": before_mb,
    }


def _describe(result: dict[str, Any]) -> str:
    name = "poll_many" if result["way"] == "poll" else "webhooks"
    if result["way"] == "webhooks":
        requests = f"{result['gets_per_job']:.2f} GETs + {result['posts_per_job']:.2f} webhook POSTs per job"
    else:
        rate = result["gets_per_job"] * result["jobs"] / (result["wall_s"] - result["create_s"])
        requests = (
            f"{result['gets_per_job']:.2f} GETs per job ({rate:.0f}/s once the creates were done; "
            f"while every job runs, the hints ask {result['hints_ask_per_s']:.0f}/s)"
        )
    return (
        f"{name}: {result['tracked']:,}/{result['jobs']:,} jobs tracked to the end in {result['wall_s']:.1f}s "
        f"from the first create (creates took {result['create_s']:.1f}s); "
        f"{requests}; latest outcome "
        f"{result['latest_after_end_s']:.2f}s after its job's end; peak RSS {result['peak_rss_mb']:.0f} MB "
        f"({result['rss_before_mb']:.0f} MB before the first create)"
    )


def run(*, quick: bool) -> str:
    """Track the jobs each way, each in a fresh process; the lines to print."""
    count = QUICK_JOBS if quick else FULL_JOBS
    lines = ["one process per way, the emulator in one of its own; peak memory is VmHWM (peak RSS)"]
    for way in WAYS:
        command = [sys.executable, "-m", "benchmarks.tracked_jobs", "--way", way, "--jobs", str(count)]
        child = subprocess.run(
            [*command, *(["--quick"] if quick else [])],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{child.stdout}{child.stderr}")
        lines.append(_describe(json.loads(child.stdout.strip().splitlines()[-1])))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tracked_jobs", description=__doc__)
    parser.add_argument("--way", choices=WAYS, required=True)
    parser.add_argument("--jobs", type=int, required=True)
    parser.add_argument("--quick", action="store_true", help="short jobs")
    args = parser.parse_args(argv)
    result = track(args.way, args.jobs, QUICK if args.quick else FULL)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
