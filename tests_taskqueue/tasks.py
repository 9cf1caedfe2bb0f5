"""The worker's tasks: examples/celery_tasks.py's app, and a task whose attempts the emulator scripts.

A real task sends the same request on every attempt; against the emulator, the
create request's metadata decides each job's fate, so this task picks the
metadata of attempt n from `fates[n]` (the last one repeats). Everything else,
the retry decision included, is the example's `create_and_poll_or_retry`.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from examples.celery_tasks import MAX_RETRIES, app, create_and_poll_or_retry

__all__ = ["ANSWER", "app", "scripted"]

ANSWER = "forty-two"
"""What a completed job answers."""

TIMINGS = {"emulator.queue_ms": "20", "emulator.run_ms": "60", "emulator.poll_after_ms": "20"}


@app.task(bind=True, max_retries=MAX_RETRIES)
def scripted(self: Task[Any, Any], fates: list[str]) -> str:
    """`answer`, with attempt n's job ending as `fates[n]` says (`emulator.outcome`)."""
    fate = fates[min(self.request.retries, len(fates) - 1)]
    metadata = {"emulator.outcome": fate, "emulator.output_text": ANSWER, **TIMINGS}
    return create_and_poll_or_retry(self, model="gpt-4.1-mini", input="hi", metadata=metadata).output_text
