"""In-memory state of one emulator app: its jobs and the streams following them.

Everything here runs on the server's event loop, so no locks are needed.
Nothing runs per job: a stream that follows a job sleeps until the next event
is due (or until the job is cancelled) and then reads the job's timeline.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import anyio

from .job import Job
from .script import Script
from .wire import Json, new_id

__all__ = ["Clock", "Store"]

Clock = Callable[[], float]
"""A monotonic clock in seconds (``time.monotonic``)."""


class Store:
    """The jobs of one app instance, keyed by response id."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._jobs: dict[str, Job] = {}
        self._wakers: dict[str, set[anyio.Event]] = {}

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
        """Start a new job now."""
        job = Job(
            response_id=new_id("resp"),
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
        return job

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
        job.cancel(self.elapsed(job))
        for waker in self._wakers.get(job.response_id, set()):
            waker.set()

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
