"""The live API's nested `error` event on a background stream, from the emulator, sync and async.

The SDK raises at the nested event, so the stream looks the run up: the typed error carries the
run's `Response`, and still what only the event said (its `type`, the rate-limit `headers`).
"""

from __future__ import annotations

from typing import Any

import pytest

import openai_background_errors as obe
from openai_background_errors.emulator.error_events import RATE_LIMIT_HEADERS

METADATA = {
    "emulator.outcome": "failed:rate_limit_exceeded",
    "emulator.queue_ms": "0",
    "emulator.run_ms": "20",
    "emulator.poll_after_ms": "5",
}


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_the_looked_up_error_keeps_what_the_nested_event_said(
    background_api: str, is_async: bool
) -> None:
    numbers: list[int] = []
    options: dict[str, Any] = {"api_key": "sk-emulator", "base_url": background_api}
    with pytest.raises(obe.BackgroundRateLimitError) as caught:
        if is_async:
            async with obe.AsyncOpenAI(**options) as async_client:
                stream = await async_client.responses.create(
                    model="gpt-4.1", input="hi", background=True, stream=True, metadata=METADATA
                )
                async for event in stream:
                    numbers.append(event.sequence_number)
        else:
            with obe.OpenAI(**options) as client:
                for event in client.responses.create(
                    model="gpt-4.1", input="hi", background=True, stream=True, metadata=METADATA
                ):
                    numbers.append(event.sequence_number)
    error = caught.value
    assert error.response is not None and error.response.status == "failed"
    assert (error.error_type, error.details) == ("tokens", {"headers": RATE_LIMIT_HEADERS})
    # In place of the response.failed the stream never delivered: one past the error event.
    assert error.sequence_number == numbers[-1] + 2
    assert error.retryable
