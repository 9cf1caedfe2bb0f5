"""poll_delay: time from the job turning terminal to `poll` returning, over the hint.

The worst case for any client that waits the hint between polls is a job that
turns terminal just after a poll was answered: it cannot know before its next
poll, one hint later. Each job here runs long, and the job is cancelled (a
terminal status) the moment `poll`'s third answer arrives, so every sample is
that worst case. The clock starts when the cancel request is sent (before the
server marks the job cancelled, so the delay is if anything overstated) and
stops when `poll` returns. An ideal client scores 1.00 plus one request's
latency over the hint.
"""

from __future__ import annotations

import threading
import time

import openai

import openai_background_errors as obe
from openai_background_errors.emulator import serve

from ._emulator import counted_client
from ._fixtures import ByteCounter, Exchange
from ._harness import Figure, summarize

HINTS_MS = (100, 200, 300)
CANCEL_AFTER_POLLS = 3


def _one(base_url: str, hint_ms: int, canceller: openai.OpenAI) -> float:
    answered_polls = 0
    third_answer = threading.Event()

    def on_answer(exchange: Exchange) -> None:
        nonlocal answered_polls
        if exchange.method == "GET":
            answered_polls += 1
            if answered_polls == CANCEL_AFTER_POLLS:
                third_answer.set()

    counter = ByteCounter(on_answer=on_answer)
    client = counted_client(obe.OpenAI, base_url, counter)
    created = client.responses.create(
        model="gpt-4.1-mini",
        input="hi",
        background=True,
        metadata={
            "emulator.queue_ms": "0",
            "emulator.run_ms": "60000",
            "emulator.poll_after_ms": str(hint_ms),
        },
    )
    finished: list[float] = []
    statuses: list[str | None] = []

    def poll() -> None:
        response = client.responses.poll(created.id)
        finished.append(time.monotonic())
        statuses.append(response.status)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    if not third_answer.wait(timeout=30):
        raise RuntimeError("poll never made its third request")
    terminal = time.monotonic()
    canceller.responses.cancel(created.id)
    poller.join(timeout=30)
    client.close()
    assert statuses == ["cancelled"], statuses
    return (finished[0] - terminal) / (hint_ms / 1000)


def run(*, quick: bool) -> Figure:
    hints = HINTS_MS if quick else HINTS_MS * 4
    ratios: list[float] = []
    with serve() as base_url:
        canceller = openai.OpenAI(api_key="emulator", base_url=base_url)
        _one(base_url, 20, canceller)  # warm up the server and the SDK's lazily imported modules
        for hint_ms in hints:
            ratios.append(_one(base_url, hint_ms, canceller))
        canceller.close()
    return Figure(
        "poll_delay",
        summarize(ratios),
        target=1.10,
        detail=(
            f"worst phase: job cancelled right after poll's answer {CANCEL_AFTER_POLLS}; "
            f"hints {', '.join(f'{h}ms' for h in HINTS_MS)}; delay / hint per job"
        ),
    )
