"""Celery over a real Redis: errors reach the caller's `AsyncResult.get()` typed, with their fields.

Each test sends one task to the session's worker (tests_taskqueue/tasks.py) and
waits for its result; the emulator's job list shows how many background
responses the task's attempts created. Timings are printed (`-s`), never
asserted.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import redis
from celery.result import AsyncResult
from examples.celery_tasks import MAX_RETRIES

import openai_background_errors as obe
from openai_background_errors.emulator.wire import error_message
from tests_taskqueue.conftest import Jobs
from tests_taskqueue.tasks import ANSWER, app, scripted

TIMEOUT = 120.0
"""For `get()`: generous, as the machine is shared; results come in seconds."""


def _report(what: str, started: float, jobs: list[dict[str, object]]) -> None:
    print(f"\ntaskqueue: {what}: {time.monotonic() - started:.2f} s, {len(jobs)} background response(s)")


def _stored(result: AsyncResult[object], redis_port: int) -> dict[str, object]:
    """The task's result as the backend holds it: Redis, JSON."""
    client = redis.Redis(host="127.0.0.1", port=redis_port)
    try:
        raw = client.get(f"celery-task-meta-{result.id}")
    finally:
        client.close()
    assert isinstance(raw, bytes)
    meta: dict[str, object] = json.loads(raw)
    return meta


def test_results_are_json(worker: Path) -> None:
    # Celery's defaults, which the example states: nothing is pickled on the wire.
    assert (app.conf.result_serializer, app.conf.task_serializer) == ("json", "json")
    assert list(app.conf.accept_content) == ["json"]


def test_a_transient_failure_is_retried_then_completes(worker: Path, jobs: Jobs) -> None:
    started = time.monotonic()
    result = scripted.delay(["failed:rate_limit_exceeded", "completed"])
    assert result.get(timeout=TIMEOUT) == ANSWER
    created = jobs.new()
    _report("rate_limit_exceeded, retried, completed", started, created)
    # One background response per attempt: the failed one, then the resubmitted one.
    assert [job["status"] for job in created] == ["failed", "completed"]
    assert all(job["background"] is True for job in created)


def test_a_permanent_failure_fails_at_once_with_its_fields(worker: Path, jobs: Jobs, redis_port: int) -> None:
    started = time.monotonic()
    result = scripted.delay(["failed:invalid_prompt", "completed"])
    with pytest.raises(obe.BackgroundInvalidPromptError) as caught:
        result.get(timeout=TIMEOUT)
    created = jobs.new()
    _report("invalid_prompt, failed at once", started, created)
    assert [job["status"] for job in created] == ["failed"]
    error = caught.value
    assert type(error) is obe.BackgroundInvalidPromptError
    assert (error.status, error.code, error.message, error.param, error.retryable) == (
        "failed",
        "invalid_prompt",
        error_message("invalid_prompt"),
        None,
        False,
    )
    assert error.response_id == created[0]["id"]
    assert error.request_id is not None and re.fullmatch(r"req_emu_\d+", error.request_id)
    # The response stays behind (re-fetchable by its id); the message is the worker's, one line.
    assert error.response is None
    assert str(error) == (
        f"invalid_prompt: {error_message('invalid_prompt')} (background response {error.response_id} failed)"
    )
    # What crossed Redis: class name, module and `args` as JSON, fields included.
    stored = _stored(result, redis_port)
    assert stored["status"] == "FAILURE"
    assert stored["result"] == {
        "exc_type": "BackgroundInvalidPromptError",
        "exc_module": "openai_background_errors.errors",
        "exc_message": list(error.args),
    }


def test_retries_used_up_make_the_last_failure_the_result(worker: Path, jobs: Jobs) -> None:
    started = time.monotonic()
    result = scripted.delay(["failed:server_error"])
    with pytest.raises(obe.BackgroundServerError) as caught:
        result.get(timeout=TIMEOUT)
    created = jobs.new()
    _report("server_error on every attempt, retries used up", started, created)
    # The first attempt and MAX_RETRIES resubmissions, each failed; the caller gets the last one.
    assert [job["status"] for job in created] == ["failed"] * (1 + MAX_RETRIES)
    error = caught.value
    assert (error.code, error.retryable, error.response_id) == ("server_error", True, created[-1]["id"])
    assert obe.is_retryable(error)
