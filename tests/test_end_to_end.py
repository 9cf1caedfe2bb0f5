"""The project's clients against the embedded server over loopback: every entry point, every outcome."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
import pytest

import openai_background_errors as obe

RAISE_ALL = ("failed", "incomplete", "cancelled")

# Scripted outcome -> the class every entry point raises for it (None: returns normally).
OUTCOMES: dict[str, type[obe.BackgroundResponseError] | None] = {
    "completed": None,
    "failed:server_error": obe.BackgroundServerError,
    "failed:insufficient_quota": obe.BackgroundQuotaExceededError,
    "failed:sandbox_session_expired": obe.BackgroundResponseFailedError,
    "failed": obe.BackgroundResponseFailedError,
    "incomplete:max_output_tokens": obe.BackgroundMaxOutputTokensError,
    "incomplete": obe.BackgroundResponseIncompleteError,
}


def _metadata(outcome: str, **extra: str) -> dict[str, str]:
    return {
        "emulator.outcome": outcome,
        "emulator.queue_ms": "5",
        "emulator.run_ms": "15",
        "emulator.poll_after_ms": "10",
        **extra,
    }


ClientFactory = Callable[..., Any]


@pytest.fixture
async def make_client(background_api: str) -> AsyncIterator[ClientFactory]:
    """Project clients on the test's emulator (raising for every status), closed after the test."""
    opened: list[Any] = []

    def make(is_async: bool, **options: Any) -> Any:
        cls = obe.AsyncOpenAI if is_async else obe.OpenAI
        client = cls(api_key="sk-emulator", base_url=background_api, raise_on=RAISE_ALL, **options)
        opened.append(client)
        return client

    yield make
    for client in opened:
        await _call(client.close())


async def _call(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


async def _create(client: Any, outcome: str, **extra: str) -> str:
    created = await _call(
        client.responses.create(
            model="gpt-4.1-mini", input="hi", background=True, metadata=_metadata(outcome, **extra)
        )
    )
    return str(created.id)


async def _terminal_id(client: Any, outcome: str) -> str:
    """A job that has reached its fate (waited for with a stock client, so nothing raises)."""
    response_id = await _create(client, outcome)
    with openai.OpenAI(api_key="sk-emulator", base_url=str(client.base_url)) as stock:
        while stock.responses.retrieve(response_id).status in ("queued", "in_progress"):
            await asyncio.sleep(0.005)
    return response_id


async def _iterate(opened: Any, is_async: bool, helper: bool) -> list[int]:
    seen: list[int] = []
    if helper:
        if is_async:
            async with opened as stream:
                seen.extend([event.sequence_number async for event in stream])
        else:
            with opened as stream:
                seen.extend(event.sequence_number for event in stream)
    elif is_async:
        seen.extend([event.sequence_number async for event in await opened])
    else:
        seen.extend(event.sequence_number for event in opened)
    return seen


async def _retrieve(client: Any, outcome: str, is_async: bool) -> Any:
    return await _call(client.responses.retrieve(await _terminal_id(client, outcome)))


async def _raw_retrieve(client: Any, outcome: str, is_async: bool) -> Any:
    raw = await _call(client.responses.with_raw_response.retrieve(await _terminal_id(client, outcome)))
    return raw.parse()


async def _streaming_retrieve(client: Any, outcome: str, is_async: bool) -> Any:
    manager = client.responses.with_streaming_response.retrieve(await _terminal_id(client, outcome))
    if is_async:
        async with manager as response:
            return await response.parse()
    with manager as response:
        return response.parse()


async def _poll(client: Any, outcome: str, is_async: bool) -> Any:
    return await _call(client.responses.poll(await _create(client, outcome)))


async def _create_and_poll(client: Any, outcome: str, is_async: bool) -> Any:
    return await _call(
        client.responses.create_and_poll(model="gpt-4.1-mini", input="hi", metadata=_metadata(outcome))
    )


async def _stream_new(client: Any, outcome: str, is_async: bool) -> Any:
    opened = client.responses.stream(
        model="gpt-4.1-mini", input="hi", background=True, metadata=_metadata(outcome)
    )
    return await _iterate(opened, is_async, helper=True)


async def _stream_existing(client: Any, outcome: str, is_async: bool) -> Any:
    opened = client.responses.stream(response_id=await _create(client, outcome))
    return await _iterate(opened, is_async, helper=True)


async def _retrieve_stream(client: Any, outcome: str, is_async: bool) -> Any:
    opened = client.responses.retrieve(await _create(client, outcome), stream=True)
    return await _iterate(opened, is_async, helper=False)


async def _create_stream(client: Any, outcome: str, is_async: bool) -> Any:
    opened = client.responses.create(
        model="gpt-4.1-mini", input="hi", background=True, stream=True, metadata=_metadata(outcome)
    )
    return await _iterate(opened, is_async, helper=False)


ENTRY_POINTS: dict[str, Callable[[Any, str, bool], Any]] = {
    "retrieve": _retrieve,
    "raw retrieve": _raw_retrieve,
    "streaming retrieve": _streaming_retrieve,
    "poll": _poll,
    "create_and_poll": _create_and_poll,
    "stream(input=...)": _stream_new,
    "stream(response_id=...)": _stream_existing,
    "retrieve(stream=True)": _retrieve_stream,
    "create(stream=True)": _create_stream,
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
async def test_every_entry_point_for_every_outcome(
    make_client: ClientFactory, is_async: bool, entry: str
) -> None:
    client = make_client(is_async)
    for outcome, expected in OUTCOMES.items():
        if expected is None:
            await ENTRY_POINTS[entry](client, outcome, is_async)
            continue
        with pytest.raises(expected) as caught:
            await ENTRY_POINTS[entry](client, outcome, is_async)
        error = caught.value
        assert type(error) is expected, (entry, outcome)
        assert error.request_id is not None
        assert error.request_id.startswith("req_")
        scripted_code = outcome.partition(":")[2] or None
        if isinstance(error, obe.BackgroundResponseIncompleteError):
            assert (error.reason, error.code) == (scripted_code, None)
        else:
            assert error.code == scripted_code


async def test_cancelled_runs_raise_when_asked(make_client: ClientFactory, is_async: bool) -> None:
    client = make_client(is_async)
    response_id = await _create(client, "completed", **{"emulator.run_ms": "60000"})
    await _call(client.responses.cancel(response_id))
    with pytest.raises(obe.BackgroundResponseCancelledError) as caught:
        await _call(client.responses.poll(response_id))
    assert caught.value.response_id == response_id


async def test_poll_faults_are_retried_by_the_sdk(make_client: ClientFactory, is_async: bool) -> None:
    client = make_client(is_async)
    response = await _call(
        client.responses.create_and_poll(
            model="gpt-4.1-mini",
            input="hi",
            metadata=_metadata("completed", **{"emulator.poll_faults": "500,reset"}),
        )
    )
    assert response.status == "completed"


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ("500", openai.InternalServerError),
        ("429", openai.RateLimitError),
        ("reset", openai.APIConnectionError),
    ],
)
async def test_poll_faults_surface_as_the_sdks_exceptions_never_as_background_errors(
    make_client: ClientFactory, is_async: bool, faults: str, expected: type[openai.OpenAIError]
) -> None:
    client = make_client(is_async, max_retries=0)
    response_id = await _create(client, "failed:server_error", **{"emulator.poll_faults": faults})
    with pytest.raises(expected) as caught:
        await _call(client.responses.poll(response_id))
    assert not isinstance(caught.value, obe.BackgroundResponseError)
    # The fault was transient; the next poll reveals the real failure.
    with pytest.raises(obe.BackgroundServerError):
        await _call(client.responses.poll(response_id))


TOTAL_EVENTS = 14  # a completed background job's stream: created, queued .. completed


@pytest.mark.parametrize("drop_after", range(1, TOTAL_EVENTS + 1))
async def test_resumed_streams_lose_and_repeat_nothing_wherever_they_drop(
    make_client: ClientFactory, is_async: bool, drop_after: int
) -> None:
    client = make_client(is_async)
    opened = client.responses.stream(
        model="gpt-4.1-mini",
        input="hi",
        background=True,
        metadata=_metadata("completed", **{"emulator.drop_stream_after": f"{drop_after}x2"}),
    )
    assert await _iterate(opened, is_async, helper=True) == list(range(TOTAL_EVENTS))


async def test_a_stream_of_an_existing_response_resumes_even_before_its_first_event(
    make_client: ClientFactory, is_async: bool
) -> None:
    client = make_client(is_async)
    response_id = await _create(client, "completed", **{"emulator.drop_stream_after": "0x2"})
    opened = client.responses.stream(response_id=response_id)
    assert await _iterate(opened, is_async, helper=True) == list(range(TOTAL_EVENTS))


async def test_a_new_stream_dropped_before_its_first_event_cannot_resume(
    make_client: ClientFactory, is_async: bool
) -> None:
    # Nothing told the client the new response's id, so there is nothing to resume.
    client = make_client(is_async)
    opened = client.responses.create(
        model="gpt-4.1-mini",
        input="hi",
        background=True,
        stream=True,
        metadata=_metadata("completed", **{"emulator.drop_stream_after": "0"}),
    )
    with pytest.raises(openai.APIConnectionError):
        await _iterate(opened, is_async, helper=False)


async def test_a_dropped_foreground_stream_is_the_sdks_connection_error(
    make_client: ClientFactory, is_async: bool
) -> None:
    client = make_client(is_async)
    opened = client.responses.create(
        model="gpt-4.1-mini",
        input="hi",
        background=False,
        stream=True,
        metadata=_metadata("completed", **{"emulator.drop_stream_after": "5"}),
    )
    with pytest.raises(openai.APIConnectionError):
        await _iterate(opened, is_async, helper=False)


def test_concurrent_jobs_do_not_interfere(make_client: ClientFactory) -> None:
    client = make_client(False)
    outcomes = list(OUTCOMES) * 3
    results: dict[int, str] = {}

    def run(index: int, outcome: str) -> None:
        try:
            response = client.responses.create_and_poll(
                model="gpt-4.1-mini", input="hi", metadata=_metadata(outcome)
            )
            results[index] = str(response.status)
        except obe.BackgroundResponseError as error:
            results[index] = type(error).__name__

    threads = [threading.Thread(target=run, args=item) for item in enumerate(outcomes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    names = {outcome: "completed" if cls is None else cls.__name__ for outcome, cls in OUTCOMES.items()}
    expected = {index: names[outcome] for index, outcome in enumerate(outcomes)}
    assert results == expected
