"""In-memory state of one emulator app: its jobs and the streams following them.

Everything here runs on the server's event loop, so no locks are needed, save
one: with webhooks on, the sender's threads ask whether a job ended or was
cancelled, and that answer and a cancel must not cross. Nothing runs per job:
a stream that follows a job sleeps until the next event is due (or until the
job is cancelled) and then reads the job's timeline; a job's webhook waits in
the sender's queue until the job's end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable

import anyio

from .job import Job
from .script import Script
from .webhooks import WebhookSender, event_body
from .wire import Json, new_id

__all__ = ["Clock", "Store"]

Clock = Callable[[], float]
"""A monotonic clock in seconds (``time.monotonic``)."""


class Store:
    """The jobs of one app instance, keyed by response id."""

    def __init__(self, clock: Clock = time.monotonic, webhooks: WebhookSender | None = None) -> None:
        self.clock = clock
        self._jobs: dict[str, Job] = {}
        self._wakers: dict[str, set[anyio.Event]] = {}
        self._webhooks = webhooks
        self._ending = threading.Lock()
        self._next_ids: list[str] = []

    def create(
        self,
        *,
        script: Script,
        model: str,
        background: bool,
        metadata: dict[str, str],
        echo: Json,
        input_items: list[Json],
    ) -> Job:
        """Start a new job now, under the id `name_next` gave, if any, or a fresh one."""
        job = Job(
            response_id=self._next_ids.pop(0) if self._next_ids else new_id("resp"),
            item_id=new_id("msg"),
            created_at=int(time.time()),
            started=self.clock(),
            script=script,
            model=model,
            background=background,
            metadata=metadata,
            echo=echo,
            input_items=input_items,
        )
        self._jobs[job.response_id] = job
        if self._webhooks is not None and background:
            self._webhooks.schedule(
                job.terminal_s + script.webhook_late_ms / 1000,
                lambda: self._end_event(job),
                job.stats.webhooks,
                copies=script.webhook_copies,
            )
        return job

    def name_next(self, response_id: str) -> None:
        """Give the next job created this id (replacing a job that has it): how a harness replays
        ids it did not get from the emulator, such as the made-up ones of openai's generated tests."""
        self._next_ids.append(response_id)

    def get(self, response_id: str) -> Job | None:
        return self._jobs.get(response_id)

    def delete(self, job: Job) -> None:
        """Forget ``job``: its id is unknown from now on (streams already following it run on)."""
        del self._jobs[job.response_id]

    def jobs(self) -> list[Job]:
        """Every job, oldest first."""
        return list(self._jobs.values())

    def elapsed(self, job: Job) -> float:
        """Seconds since ``job`` was created."""
        return self.clock() - job.started

    def cancel(self, job: Job) -> None:
        """Cancel ``job`` (if it is not settled yet) and wake the streams following it."""
        with self._ending:
            was_cancelled = job.cancelled_at is not None
            job.cancel(self.elapsed(job))
        if self._webhooks is not None and not was_cancelled and job.cancelled_at is not None:
            self._webhooks.schedule(
                job.script.webhook_late_ms / 1000,
                lambda: event_body("response.cancelled", job.response_id),
                job.stats.webhooks,
                copies=job.script.webhook_copies,
            )
        for waker in self._wakers.get(job.response_id, set()):
            waker.set()

    def _end_event(self, job: Job) -> bytes | None:
        """The webhook for the job's scripted end, or None if a cancel came first (it sends its own)."""
        with self._ending:
            if job.cancelled_at is not None:
                return None
            # Due at the job's end; read from the script, not the clock, so it cannot come early.
            return event_body(f"response.{job.script.outcome}", job.response_id)

    async def wait_settled(self, job: Job) -> None:
        """Sleep until ``job`` reaches its scripted end."""
        await anyio.sleep(max(0.0, job.terminal_s - self.elapsed(job)))

    async def follow(self, job: Job, *, after: int = -1) -> AsyncIterator[Json]:
        """Yield ``job``'s events numbered above ``after``: the existing ones, then live ones."""
        index = after + 1
        waker = anyio.Event()
        self._wakers.setdefault(job.response_id, set()).add(waker)
        try:
            while True:
                elapsed = self.elapsed(job)
                available = job.events(elapsed)
                while index < len(available):
                    yield available[index]
                    index += 1
                due = job.next_event_at(index)
                if due is None:
                    return
                with anyio.move_on_after(max(0.0, due - elapsed)):
                    await waker.wait()
        finally:
            self._wakers[job.response_id].discard(waker)
