"""Background responses in Celery tasks: a transient failure is retried, any other fails at once.

Celery's default JSON result serializer keeps an exception as its class name and
`args` and rebuilds it with `cls(*args)`; this package's errors come back from
that with their class and fields, so the caller's `AsyncResult.get()` raises the
typed error with its `code`, `request_id` and `response_id` (not the response
itself: `retrieve(error.response_id)` fetches it).

Start a worker (Redis as broker and result backend; the client reads
`OPENAI_API_KEY` and `OPENAI_BASE_URL` as the stock client does):

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 celery -A examples.celery_tasks worker -c 2

then, from any process:

    result = answer.delay("Summarize the quarterly report.")
    try:
        print(result.get(timeout=900))
    except obe.BackgroundResponseError as error:
        print(type(error).__name__, error.code, error.response_id, error.request_id)

`tests_taskqueue/` runs this module's tasks in a worker against a real Redis
and the local emulator (`nox -s taskqueue`).
"""

from __future__ import annotations

import functools
import os
from typing import Any

from celery import Celery, Task
from openai.types.responses import Response
from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming
from typing_extensions import Unpack

import openai_background_errors as obe

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

app = Celery(
    "examples.celery_tasks",
    broker=BROKER_URL,
    backend=os.environ.get("CELERY_RESULT_BACKEND", BROKER_URL),
)
# Celery's defaults, stated: JSON for task messages and results, nothing pickled on the wire.
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])

MAX_RETRIES = 3
"""Resubmissions of one task after transient failures, before its error is the task's result."""


@functools.cache
def client() -> obe.OpenAI:
    """One client per worker process, made on first use (so after the pool has forked)."""
    return obe.OpenAI()


def create_and_poll_or_retry(
    task: Task[Any, Any], **params: Unpack[ResponseCreateParamsNonStreaming]
) -> Response:
    """Run a background response to its end; a transient failure resubmits the task.

    A terminal response never changes, so retrying means a new `create()`: the
    task runs again. Any other failure is raised at once and becomes the task's
    result, which Celery stores as JSON and the caller's `get()` raises.
    """
    try:
        return client().responses.create_and_poll(**params)
    except obe.BackgroundResponseError as error:
        if not obe.is_retryable(error):
            raise
        # Raises celery's Retry; once MAX_RETRIES is used up it raises `error` itself.
        raise task.retry(exc=error, countdown=2**task.request.retries) from error


@app.task(bind=True, max_retries=MAX_RETRIES)
def answer(self: Task[Any, Any], prompt: str, model: str = "gpt-4.1-mini") -> str:
    """The model's answer to `prompt`, from a background response."""
    return create_and_poll_or_retry(self, model=model, input=prompt).output_text
