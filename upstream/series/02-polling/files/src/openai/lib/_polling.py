from __future__ import annotations

import math
from typing import Mapping

from .._types import Omit
from .._utils import is_given

__all__ = ["get_poll_interval_ms", "validate_max_wait_seconds", "check_remaining_poll_time"]


def get_poll_interval_ms(headers: Mapping[str, str]) -> int:
    """Use the server hint, or one second without one."""
    from_header = headers.get("openai-poll-after-ms")
    if from_header is not None:
        return int(from_header)
    return 1000


def validate_max_wait_seconds(max_wait_seconds: float | Omit) -> None:
    if is_given(max_wait_seconds) and (not math.isfinite(max_wait_seconds) or max_wait_seconds < 0):
        raise ValueError("Expected a finite, non-negative value for `max_wait_seconds`")


def check_remaining_poll_time(remaining: float, timeout_message: str) -> float:
    """Return the time left before a polling deadline, or raise `TimeoutError` once none is left.

    Callers measure `remaining` with their own clock, so that each poller's module keeps its own `time`.
    """
    if remaining <= 0:
        raise TimeoutError(timeout_message)
    return remaining
