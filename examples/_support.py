"""What every example shares: a project client that counts its requests, and the demo's table row."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx2

import openai_background_errors as obe


@dataclass
class Row:
    """One line of the demo's table."""

    scenario: str
    outcome: str
    raised: str
    retryable: str
    action: str
    requests: int
    events_lost: str = "-"


class RequestCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: httpx2.Request) -> None:
        self.count += 1


@contextmanager
def counting_client(base_url: str) -> Generator[tuple[obe.OpenAI, RequestCounter], None, None]:
    """A project client on `base_url` that counts the HTTP requests it sends (retries included)."""
    counter = RequestCounter()
    http_client = httpx2.Client(event_hooks={"request": [counter]})
    with obe.OpenAI(api_key="sk-emulator", base_url=base_url, http_client=http_client) as client:
        yield client, counter


def fate(outcome: str, **extra: str) -> dict[str, str]:
    """The create request's metadata that scripts a job on the emulator.

    The job ends 250 ms after it is created and the server asks for polls 400 ms
    apart, so every job is polled exactly twice (queued, then terminal).
    """
    timings = {"emulator.queue_ms": "100", "emulator.run_ms": "150", "emulator.poll_after_ms": "400"}
    return {"emulator.outcome": outcome, **timings, **extra}
