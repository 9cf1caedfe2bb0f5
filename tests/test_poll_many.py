"""`responses.poll_many`, sync and async: one outcome per id, failures as values, each on its own hints."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx2
import openai
import pytest

import openai_background_errors as obe

from .conftest import Server, make_client, response_body

RAISE_ON = ("failed", "incomplete")


async def outcomes_of(client: Any, ids: Sequence[str], **options: Any) -> list[obe.PollOutcome]:
    """Every outcome `poll_many` yields, sync or async, in the order yielded."""
    batch = client.responses.poll_many(ids, **options)
    if isinstance(client, obe.AsyncOpenAI):
        return [outcome async for outcome in batch]
    return list(batch)


def per_id(handlers: dict[str, list[httpx2.Response]]) -> Server:
    """A mock server answering each id's polls from its own list (the last answer repeats)."""
    server = Server()
    answered: dict[str, int] = dict.fromkeys(handlers, 0)
    lock = threading.Lock()

    def answer(request: httpx2.Request) -> httpx2.Response:
        response_id = request.url.path.rsplit("/", 1)[-1]
        with lock:
            index = min(answered[response_id], len(handlers[response_id]) - 1)
            answered[response_id] += 1
        template = handlers[response_id][index]
        return httpx2.Response(template.status_code, content=template.content, headers=template.headers)

    for _ in range(100):
        server.then(answer)
    return server


def body(name: str, response_id: str, hint_ms: int | None = None) -> httpx2.Response:
    headers = {} if hint_ms is None else {"openai-poll-after-ms": str(hint_ms)}
    return httpx2.Response(200, json={**response_body(name), "id": response_id}, headers=headers)


async def test_one_outcome_per_id_failures_as_values_and_the_poll_helper_header(is_async: bool) -> None:
    server = per_id(
        {
            "resp_ok": [body("in_progress", "resp_ok", 300), body("completed", "resp_ok")],
            "resp_failed": [body("queued", "resp_failed", 300), body("failed_server_error", "resp_failed")],
            "resp_down": [httpx2.Response(500, json={"error": {"message": "down", "type": "server_error"}})],
        }
    )
    client = make_client(server, is_async=is_async, max_retries=0)
    outcomes = await outcomes_of(client, ["resp_ok", "resp_failed", "resp_down"])
    by_id = {outcome.response_id: outcome for outcome in outcomes}
    assert sorted(by_id) == ["resp_down", "resp_failed", "resp_ok"] and len(outcomes) == 3
    ok, failed, down = by_id["resp_ok"], by_id["resp_failed"], by_id["resp_down"]
    assert ok.error is None and ok.response is not None and ok.response.status == "completed"
    assert isinstance(failed.error, obe.BackgroundServerError)
    assert failed.response is failed.error.response and failed.error.response_id == "resp_failed"
    # A failed request is the SDK's own error, never a background failure.
    assert isinstance(down.error, openai.InternalServerError)
    assert not isinstance(down.error, obe.BackgroundResponseError) and down.response is None
    assert (
        outcomes[0] is down
    )  # it ended at its first answer; the others needed a second poll, 300 ms later (a margin for a loaded machine)
    assert all(request.headers["X-Stainless-Poll-Helper"] == "true" for request in server.requests)
    assert all("X-Stainless-Custom-Poll-Interval" not in request.headers for request in server.requests)


async def test_an_explicit_interval_is_sent_and_used(is_async: bool) -> None:
    server = per_id({"resp_a": [body("in_progress", "resp_a", 60_000), body("completed", "resp_a")]})
    client = make_client(server, is_async=is_async)
    (outcome,) = await outcomes_of(client, ["resp_a"], poll_interval_ms=5)
    assert outcome.error is None and len(server.requests) == 2  # 5 ms, not the 60 s hint
    assert server.requests[0].headers["X-Stainless-Custom-Poll-Interval"] == "5"


async def test_max_wait_seconds_zero_sends_nothing_and_times_every_id_out(is_async: bool) -> None:
    server = Server()
    client = make_client(server, is_async=is_async)
    outcomes = await outcomes_of(client, ["resp_a", "resp_b"], max_wait_seconds=0)
    assert [outcome.response_id for outcome in outcomes] == ["resp_a", "resp_b"]
    assert all(isinstance(outcome.error, TimeoutError) for outcome in outcomes)
    assert "resp_b" in str(outcomes[1].error)
    assert server.requests == []


async def test_no_ids_no_outcomes(is_async: bool) -> None:
    server = Server()
    assert await outcomes_of(make_client(server, is_async=is_async), []) == []
    assert server.requests == []


@pytest.mark.parametrize(
    ("ids", "options", "error", "complaint"),
    [
        (["resp_a", "resp_b", "resp_a"], {}, ValueError, r"repeated: \['resp_a'\]"),
        (["resp_a", ""], {}, ValueError, "non-empty value for `response_id`"),
        ("resp_a", {}, TypeError, "single string"),
        (["resp_a"], {"max_concurrency": 0}, ValueError, "max_concurrency"),
        (["resp_a"], {"max_wait_seconds": -1}, ValueError, "max_wait_seconds"),
        (["resp_a"], {"poll_interval_ms": math.inf}, ValueError, "poll_interval_ms"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    is_async: bool, ids: Any, options: dict[str, Any], error: type[Exception], complaint: str
) -> None:
    server = Server()
    client = make_client(server, is_async=is_async)
    with pytest.raises(error, match=complaint):
        client.responses.poll_many(ids, **options)
    assert server.requests == []


def test_concurrency_is_bounded_and_an_early_break_leaves_no_thread() -> None:
    in_flight = most = 0
    lock = threading.Lock()
    server = Server()

    def slow(request: httpx2.Request) -> httpx2.Response:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.02)
        with lock:
            in_flight -= 1
        return body("completed", request.url.path.rsplit("/", 1)[-1])

    for _ in range(12):
        server.then(slow)
    before = set(threading.enumerate())
    client = make_client(server, is_async=False)
    ids = [f"resp_{number}" for number in range(12)]
    assert len(list(client.responses.poll_many(ids, max_concurrency=3))) == 12
    assert most == 3
    batch = client.responses.poll_many(["resp_x", "resp_y"])
    server.then(slow).then(slow)
    next(batch)
    batch.close()
    assert [thread for thread in threading.enumerate() if thread not in before and thread.is_alive()] == []


# --- against the emulator ---------------------------------------------------------------------

FATES: dict[str, type[obe.BackgroundResponseError] | None] = {
    "completed": None,
    "failed:server_error": obe.BackgroundServerError,
    "failed:invalid_prompt": obe.BackgroundInvalidPromptError,
    "failed:sandbox_session_expired": obe.BackgroundResponseFailedError,
    "failed": obe.BackgroundResponseFailedError,
    "incomplete:max_output_tokens": obe.BackgroundMaxOutputTokensError,
}


def mixed_jobs(count: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    jobs: list[dict[str, str]] = []
    for _ in range(count):
        metadata = {
            "emulator.outcome": rng.choice(list(FATES)),
            "emulator.queue_ms": str(rng.randint(0, 60)),
            "emulator.run_ms": str(rng.randint(0, 400)),
            "emulator.poll_after_ms": str(rng.choice([20, 50, 100])),
        }
        if rng.random() < 0.15:
            metadata["emulator.poll_faults"] = rng.choice(["500", "429", "reset", "500,429"])
        jobs.append(metadata)
    return jobs


def most_polls(metadata: dict[str, str]) -> int:
    """The most GETs a client that waits each hint can make: ceil(T / h) + 1, plus the faulted ones."""
    total_ms = int(metadata["emulator.queue_ms"]) + int(metadata["emulator.run_ms"])
    faults = metadata.get("emulator.poll_faults")
    return (
        math.ceil(total_ms / int(metadata["emulator.poll_after_ms"]))
        + 1
        + (len(faults.split(",")) if faults else 0)
    )


async def test_120_mixed_jobs_on_the_emulator(background_api: str, is_async: bool) -> None:
    cls = obe.AsyncOpenAI if is_async else obe.OpenAI
    client: Any = cls(api_key="sk-emulator", base_url=background_api, raise_on=RAISE_ON)
    stock = openai.OpenAI(api_key="sk-emulator", base_url=background_api)
    jobs = mixed_jobs(120, seed=15)
    created = {
        stock.responses.create(model="gpt-test", input="hi", background=True, metadata=job).id: job
        for job in jobs
    }
    outcomes = await outcomes_of(client, list(created), max_concurrency=8)

    assert sorted(outcome.response_id for outcome in outcomes) == sorted(created)
    for outcome in outcomes:
        metadata = created[outcome.response_id]
        expected = FATES[metadata["emulator.outcome"]]
        assert type(outcome.error) is (type(None) if expected is None else expected), (outcome, metadata)
        assert outcome.response is not None and outcome.response.id == outcome.response_id
        assert outcome.response.status == metadata["emulator.outcome"].partition(":")[0]
        stats = stock.get(f"/emulator/responses/{outcome.response_id}", cast_to=httpx2.Response).json()
        assert 1 <= stats["polls"] <= most_polls(metadata), (stats, metadata)
    stock.close()
    if is_async:
        await client.close()
    else:
        client.close()


async def test_a_job_that_outlives_max_wait_seconds_is_a_timeout_outcome(
    background_api: str, is_async: bool
) -> None:
    cls = obe.AsyncOpenAI if is_async else obe.OpenAI
    client: Any = cls(api_key="sk-emulator", base_url=background_api)
    stock = openai.OpenAI(api_key="sk-emulator", base_url=background_api)
    quick = {"emulator.queue_ms": "0", "emulator.run_ms": "20", "emulator.poll_after_ms": "10"}
    slow = {**quick, "emulator.run_ms": "60000", "emulator.poll_after_ms": "50"}
    slow_id = stock.responses.create(model="gpt-test", input="hi", background=True, metadata=slow).id
    quick_id = stock.responses.create(model="gpt-test", input="hi", background=True, metadata=quick).id
    first, second = await outcomes_of(client, [slow_id, quick_id], max_wait_seconds=0.4)
    assert (first.response_id, first.error) == (quick_id, None)
    assert second.response_id == slow_id and second.response is None
    assert isinstance(second.error, TimeoutError) and slow_id in str(second.error)
    stock.close()
    if is_async:
        await client.close()
    else:
        client.close()


async def test_requests_that_keep_failing_end_that_id_alone(background_api: str, is_async: bool) -> None:
    cls = obe.AsyncOpenAI if is_async else obe.OpenAI
    client: Any = cls(api_key="sk-emulator", base_url=background_api, max_retries=1)
    stock = openai.OpenAI(api_key="sk-emulator", base_url=background_api)
    quick = {"emulator.queue_ms": "0", "emulator.run_ms": "20", "emulator.poll_after_ms": "10"}
    cut_id = stock.responses.create(
        model="gpt-test",
        input="hi",
        background=True,
        metadata={**quick, "emulator.poll_faults": "reset,reset"},
    ).id
    ok_id = stock.responses.create(model="gpt-test", input="hi", background=True, metadata=quick).id
    outcomes = {outcome.response_id: outcome for outcome in await outcomes_of(client, [cut_id, ok_id])}
    assert isinstance(outcomes[cut_id].error, openai.APIConnectionError)
    assert outcomes[ok_id].error is None and outcomes[ok_id].response is not None
    stock.close()
    if is_async:
        await client.close()
    else:
        client.close()
