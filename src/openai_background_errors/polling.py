"""Wait for a background response to reach a terminal status: `poll` and `async_poll`.

`Schedule` and `poll_once` are the pieces `poll_many` (`fleet`) shares: one
response's headers, waits and deadline, and one poll of it.

The conventions are those of the SDK's vector-store `poll`: every request sends
`X-Stainless-Poll-Helper: true`; without `poll_interval_ms` each wait is what
the last answer's `openai-poll-after-ms` header says (1000 ms when it says
nothing); with it, every wait is that long and the request says so in
`X-Stainless-Custom-Poll-Interval`. `max_wait_seconds` bounds the whole wait.

Polling goes through `with_raw_response.retrieve`, so a dropped connection or an
HTTP error gets the SDK's own retries and surfaces as the SDK's own exception;
it is never reported as a background failure. A terminal response is final, so
a failed one is raised at once and never re-polled.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import TYPE_CHECKING

from openai import Omit, omit
from openai.types.responses import Response

if TYPE_CHECKING:
    from collections.abc import Mapping

    from openai.resources.responses import AsyncResponses, Responses

    from .registry import RaisePolicy

__all__ = [
    "Schedule",
    "async_cancel_quietly",
    "async_poll",
    "async_poll_once",
    "cancel_quietly",
    "is_waiting",
    "poll",
    "poll_once",
]

WAITING_STATUSES = frozenset({"queued", "in_progress"})
DEFAULT_POLL_INTERVAL_MS = 1000
MAX_HINT_MS = 86_400_000

log = logging.getLogger(__name__)


class Schedule:
    """Headers to send, how long to wait between polls, and the deadline, for one response."""

    def __init__(
        self, response_id: str, poll_interval_ms: int | Omit, max_wait_seconds: float | Omit
    ) -> None:
        if not response_id:
            raise ValueError(f"Expected a non-empty value for `response_id` but received {response_id!r}")
        if not isinstance(poll_interval_ms, Omit) and not (
            math.isfinite(poll_interval_ms) and poll_interval_ms >= 0
        ):
            raise ValueError(f"Expected a finite, non-negative `poll_interval_ms`, got {poll_interval_ms!r}")
        if not isinstance(max_wait_seconds, Omit) and not (
            math.isfinite(max_wait_seconds) and max_wait_seconds >= 0
        ):
            raise ValueError(f"Expected a finite, non-negative `max_wait_seconds`, got {max_wait_seconds!r}")
        self.response_id = response_id
        self.poll_interval_ms = poll_interval_ms
        self.max_wait_seconds = max_wait_seconds
        self.started = time.monotonic()
        """When the wait began: `max_wait_seconds` counts from here."""
        self.headers = {"X-Stainless-Poll-Helper": "true"}
        if not isinstance(poll_interval_ms, Omit):
            self.headers["X-Stainless-Custom-Poll-Interval"] = str(poll_interval_ms)

    def check_time(self) -> None:
        """Raise `TimeoutError` once `max_wait_seconds` have passed (at once when it is 0)."""
        if isinstance(self.max_wait_seconds, Omit):
            return
        waited = time.monotonic() - self.started
        if waited >= self.max_wait_seconds:
            raise TimeoutError(
                f"Background response {self.response_id!r} did not finish within "
                f"max_wait_seconds={self.max_wait_seconds:g} (waited {waited:.2f}s)"
            )

    def seconds_to_wait(self, headers: Mapping[str, str]) -> float:
        """How long to sleep before the next poll, never past the deadline."""
        if isinstance(self.poll_interval_ms, Omit):
            interval_ms = _server_hint_ms(headers)
        else:
            interval_ms = self.poll_interval_ms
        seconds = interval_ms / 1000
        if not isinstance(self.max_wait_seconds, Omit):
            seconds = min(seconds, max(0.0, self.started + self.max_wait_seconds - time.monotonic()))
        return seconds


def _server_hint_ms(headers: Mapping[str, str]) -> int:
    hint = headers.get("openai-poll-after-ms")
    if hint is None:
        return DEFAULT_POLL_INTERVAL_MS
    try:
        # Clamped to a day: a runaway header must not overflow the sleep.
        return min(max(0, int(hint)), MAX_HINT_MS)
    except ValueError:
        # A malformed hint is the server's slip; waiting the default beats failing the caller's job.
        return DEFAULT_POLL_INTERVAL_MS


def is_waiting(response: Response) -> bool:
    """Whether the run is still queued or in progress."""
    # A status that is not a string (lenient parsing lets any value through) is not a waiting one.
    status: object = response.status
    return isinstance(status, str) and status in WAITING_STATUSES


def poll_once(resource: Responses, schedule: Schedule, policy: RaisePolicy) -> Response | float:
    """One poll: the terminal response (or the typed error `policy` raises), else the seconds to wait."""
    raw = resource.with_raw_response.retrieve(schedule.response_id, extra_headers=schedule.headers)
    response = raw.parse(to=Response)
    if not is_waiting(response):
        # A client of this package has raised in parse() already; this check is what
        # raises for a resource whose client does not classify on parse.
        return policy.check(response, request_id=raw.request_id)
    return schedule.seconds_to_wait(raw.headers)


async def async_poll_once(
    resource: AsyncResponses, schedule: Schedule, policy: RaisePolicy
) -> Response | float:
    """One poll: the terminal response (or the typed error `policy` raises), else the seconds to wait."""
    raw = await resource.with_raw_response.retrieve(schedule.response_id, extra_headers=schedule.headers)
    response = raw.parse(to=Response)
    if not is_waiting(response):
        return policy.check(response, request_id=raw.request_id)
    return schedule.seconds_to_wait(raw.headers)


def poll(
    resource: Responses,
    response_id: str,
    *,
    policy: RaisePolicy,
    poll_interval_ms: int | Omit = omit,
    max_wait_seconds: float | Omit = omit,
    cancel_on_interrupt: bool = False,
    created_headers: Mapping[str, str] | None = None,
) -> Response:
    """Retrieve `response_id` until it leaves `queued`/`in_progress`; return it or raise per `policy`.

    `created_headers` are those of the answer that started the run: the first poll waits
    what they say, as every later poll waits what the previous answer said.
    """
    schedule = Schedule(response_id, poll_interval_ms, max_wait_seconds)
    try:
        if created_headers is not None:
            resource._sleep(schedule.seconds_to_wait(created_headers))  # pyright: ignore[reportPrivateUsage]
        while True:
            schedule.check_time()
            step = poll_once(resource, schedule, policy)
            if isinstance(step, Response):
                return step
            resource._sleep(step)  # pyright: ignore[reportPrivateUsage]
    except KeyboardInterrupt:
        if cancel_on_interrupt:
            cancel_quietly(resource, response_id, after="an interrupt")
        raise


async def async_poll(
    resource: AsyncResponses,
    response_id: str,
    *,
    policy: RaisePolicy,
    poll_interval_ms: int | Omit = omit,
    max_wait_seconds: float | Omit = omit,
    cancel_on_interrupt: bool = False,
    created_headers: Mapping[str, str] | None = None,
) -> Response:
    """Retrieve `response_id` until it leaves `queued`/`in_progress`; return it or raise per `policy`.

    `created_headers` are those of the answer that started the run: the first poll waits
    what they say, as every later poll waits what the previous answer said.
    """
    schedule = Schedule(response_id, poll_interval_ms, max_wait_seconds)
    try:
        if created_headers is not None:
            await resource._sleep(schedule.seconds_to_wait(created_headers))  # pyright: ignore[reportPrivateUsage]
        while True:
            schedule.check_time()
            step = await async_poll_once(resource, schedule, policy)
            if isinstance(step, Response):
                return step
            await resource._sleep(step)  # pyright: ignore[reportPrivateUsage]
    except asyncio.CancelledError:
        if cancel_on_interrupt:
            await async_cancel_quietly(resource, response_id, after="cancellation")
        raise


def cancel_quietly(resource: Responses, response_id: str, *, after: str) -> None:
    """Cancel the run on the server while an interruption propagates; a failed cancel is logged.

    The interruption is what the caller must see: nothing here may replace it.
    """
    try:
        resource.cancel(response_id)
    except Exception:
        log.warning("Could not cancel background response %r after %s", response_id, after, exc_info=True)


async def async_cancel_quietly(resource: AsyncResponses, response_id: str, *, after: str) -> None:
    """Cancel the run on the server while the task is cancelled; a failed cancel is logged.

    The request is awaited to its end even when the task is cancelled again meanwhile: anyio
    (under pydantic-ai, for one) cancels a cancelled task at every await, and a request left
    running in the background could be cut off with the event loop, leaving the run going.
    """
    # The task is being cancelled; shield the cancel request so it is still sent.
    request = asyncio.ensure_future(resource.cancel(response_id))
    while not request.done():
        try:
            await asyncio.shield(request)
        except asyncio.CancelledError:
            continue  # cancelled again, not the request: it is still out
        except Exception:
            break
    error = None if request.cancelled() else request.exception()
    if error is not None:
        log.warning("Could not cancel background response %r after %s", response_id, after, exc_info=error)
