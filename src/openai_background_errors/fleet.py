"""`poll_many`: watch many background responses at once, one outcome per id, in the order they finish.

Each response keeps the schedule `poll` would give it alone (`polling.Schedule`:
its own `openai-poll-after-ms` waits, `X-Stainless-Poll-Helper: true`, the
`max_wait_seconds` deadline) and each request is one `polling.poll_once`, so the
SDK's retries apply to it. What this module adds is the fleet: a heap of the
responses by when each is next due, at most `max_concurrency` requests in flight
(sync: a thread pool of that size; async: that many tasks), and outcomes handed
out as they arrive.

An outcome's `error` is a value, never raised in the middle of the batch:

- the typed error for a status in the client's `raise_on` (`response` is then the
  failed `Response`);
- a `TimeoutError` naming the id when `max_wait_seconds` ran out first;
- the SDK's own exception (`APIConnectionError`, `APIStatusError`, ...) when the
  requests for that id failed after the SDK's retries: a transport problem, not a
  background failure, and it stops the polling of that id alone. Tell the kinds
  apart with `isinstance(outcome.error, BackgroundResponseError)`.

Anything else (a bug, `KeyboardInterrupt`, task cancellation) propagates: the
iteration stops, and the requests still in flight are cancelled or awaited.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING

from openai import Omit, OpenAIError
from openai.types.responses import Response

from .errors import BackgroundResponseError
from .outcome import PollOutcome
from .polling import Schedule, async_poll_once, poll_once

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses

    from .registry import RaisePolicy

__all__ = ["DEFAULT_MAX_CONCURRENCY", "Fleet", "async_poll_many", "poll_many"]

DEFAULT_MAX_CONCURRENCY = 16


class Fleet:
    """The schedule of a batch: which responses are due, how many requests are out, what has ended.

    Pure bookkeeping, shared by the sync and async drivers; nothing here does I/O.
    """

    def __init__(
        self,
        response_ids: Iterable[str],
        *,
        max_concurrency: int,
        poll_interval_ms: int | Omit,
        max_wait_seconds: float | Omit,
    ) -> None:
        if isinstance(response_ids, (str, bytes)):
            raise TypeError(f"Expected an iterable of response ids, got the single string {response_ids!r}")
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"Expected an int >= 1 for `max_concurrency`, got {max_concurrency!r}")
        ids = list(response_ids)
        repeated = sorted(response_id for response_id, count in collections.Counter(ids).items() if count > 1)
        if repeated:
            raise ValueError(f"Each response id may appear once in `response_ids`; repeated: {repeated}")
        # Built now so that a bad id or setting is refused before anything is sent.
        self._schedules = [Schedule(response_id, poll_interval_ms, max_wait_seconds) for response_id in ids]
        self.max_concurrency = max_concurrency
        self._due: list[tuple[float, int, Schedule]] = []
        self._order = itertools.count()
        self.in_flight = 0
        self.remaining = len(ids)

    def start(self) -> None:
        """Start every clock (`max_wait_seconds` counts from here) and make every response due now."""
        now = time.monotonic()
        for schedule in self._schedules:
            schedule.started = now
            heapq.heappush(self._due, (now, next(self._order), schedule))

    def next_due_in(self) -> float | None:
        """Seconds until a response is due for a poll while a request slot is free, else None."""
        if not self._due or self.in_flight >= self.max_concurrency:
            return None
        return max(0.0, self._due[0][0] - time.monotonic())

    def take_due(self) -> list[Schedule | PollOutcome]:
        """The responses to poll now, as many as free slots allow; an outcome for each one out of time."""
        taken: list[Schedule | PollOutcome] = []
        now = time.monotonic()
        while self._due and self._due[0][0] <= now and self.in_flight < self.max_concurrency:
            _, _, schedule = heapq.heappop(self._due)
            try:
                schedule.check_time()
            except TimeoutError as error:
                taken.append(self._ended(schedule, None, error))
                continue
            self.in_flight += 1
            taken.append(schedule)
        return taken

    def answered(self, schedule: Schedule, step: Response | float, answered_at: float) -> PollOutcome | None:
        """Record a poll's answer: the outcome of a terminal response, or None after rescheduling."""
        self.in_flight -= 1
        if isinstance(step, Response):
            return self._ended(schedule, step, None)
        heapq.heappush(self._due, (answered_at + step, next(self._order), schedule))
        return None

    def failed(self, schedule: Schedule, error: OpenAIError) -> PollOutcome:
        """Record a poll that raised: the typed error of a failed run, or the SDK's error for the request."""
        self.in_flight -= 1
        response = error.response if isinstance(error, BackgroundResponseError) else None
        return self._ended(schedule, response, error)

    def _ended(self, schedule: Schedule, response: Response | None, error: Exception | None) -> PollOutcome:
        self.remaining -= 1
        return PollOutcome(schedule.response_id, response, error)


def _poll(resource: Responses, schedule: Schedule, policy: RaisePolicy) -> tuple[Response | float, float]:
    step = poll_once(resource, schedule, policy)
    return step, time.monotonic()


def poll_many(resource: Responses, fleet: Fleet, *, policy: RaisePolicy) -> Iterator[PollOutcome]:
    """Drive `fleet` with a pool of `max_concurrency` threads; yield each outcome as it arrives."""
    fleet.start()
    if not fleet.remaining:
        return
    running: dict[concurrent.futures.Future[tuple[Response | float, float]], Schedule] = {}
    with concurrent.futures.ThreadPoolExecutor(fleet.max_concurrency, thread_name_prefix="poll_many") as pool:
        try:
            while fleet.remaining:
                for item in fleet.take_due():
                    if isinstance(item, PollOutcome):
                        yield item
                    else:
                        running[pool.submit(_poll, resource, item, policy)] = item
                wait_s = fleet.next_due_in()
                if not running:
                    if wait_s is not None:
                        resource._sleep(wait_s)  # pyright: ignore[reportPrivateUsage]
                    continue
                done, _ = concurrent.futures.wait(
                    running, timeout=wait_s, return_when=concurrent.futures.FIRST_COMPLETED
                )
                for future in done:
                    schedule = running.pop(future)
                    try:
                        step, answered_at = future.result()
                    except OpenAIError as error:
                        yield fleet.failed(schedule, error)
                        continue
                    outcome = fleet.answered(schedule, step, answered_at)
                    if outcome is not None:
                        yield outcome
        finally:
            for future in running:
                future.cancel()


async def _async_poll(
    resource: AsyncResponses, schedule: Schedule, policy: RaisePolicy
) -> tuple[Response | float, float]:
    step = await async_poll_once(resource, schedule, policy)
    return step, time.monotonic()


async def async_poll_many(
    resource: AsyncResponses, fleet: Fleet, *, policy: RaisePolicy
) -> AsyncIterator[PollOutcome]:
    """Drive `fleet` with at most `max_concurrency` tasks; yield each outcome as it arrives."""
    fleet.start()
    running: dict[asyncio.Task[tuple[Response | float, float]], Schedule] = {}
    try:
        while fleet.remaining:
            for item in fleet.take_due():
                if isinstance(item, PollOutcome):
                    yield item
                else:
                    running[asyncio.ensure_future(_async_poll(resource, item, policy))] = item
            wait_s = fleet.next_due_in()
            if not running:
                if wait_s is not None:
                    await resource._sleep(wait_s)  # pyright: ignore[reportPrivateUsage]
                continue
            done, _ = await asyncio.wait(running, timeout=wait_s, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                schedule = running.pop(task)
                try:
                    step, answered_at = task.result()
                except OpenAIError as error:
                    yield fleet.failed(schedule, error)
                    continue
                outcome = fleet.answered(schedule, step, answered_at)
                if outcome is not None:
                    yield outcome
    finally:
        for task in running:
            task.cancel()
        # Wait for the cancelled requests to unwind, so none is left pending when the loop closes.
        await asyncio.gather(*running, return_exceptions=True)
