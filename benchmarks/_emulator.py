"""Clients of the local emulator with a transport that records every exchange, and jobs' scripts."""

from __future__ import annotations

import random
from typing import TypeVar

import httpx2
import openai

from ._fixtures import ByteCounter

__all__ = ["counted_client", "mixed_script"]

_ClientT = TypeVar("_ClientT", bound=openai.OpenAI)


def counted_client(cls: type[_ClientT], base_url: str, counter: ByteCounter) -> _ClientT:
    """A client of `cls` for the emulator at `base_url`, all of whose exchanges `counter` records."""
    return cls(api_key="emulator", base_url=base_url, http_client=httpx2.Client(transport=counter))


def mixed_script(
    rng: random.Random, *, queue_ms: tuple[int, int], run_ms: tuple[int, int], hints_ms: tuple[int, ...]
) -> dict[str, str]:
    """A background job's metadata: a fate (mostly completed), durations in the ranges, one of the hints."""
    return {
        "emulator.outcome": rng.choice(["completed", "completed", "failed:server_error", "incomplete"]),
        "emulator.queue_ms": str(rng.randint(*queue_ms)),
        "emulator.run_ms": str(rng.randint(*run_ms)),
        "emulator.poll_after_ms": str(rng.choice(hints_ms)),
    }
