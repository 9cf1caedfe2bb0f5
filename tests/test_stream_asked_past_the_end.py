"""A stream asked for the events after a run's terminal event gets none, as from the stock SDK.

The API sends nothing after a run's terminal event, so a caller that reconnects with the
terminal event's number already had the end: the stream must not look the run up and hand the
ending (or its failure) over a second time. Against the emulator, sync.
"""

from __future__ import annotations

import openai
import pytest

import openai_background_errors as obe

# The flat error event: the stock SDK reads past it to the terminal event (it raises at the nested one).
FAST = {
    "emulator.queue_ms": "0",
    "emulator.run_ms": "20",
    "emulator.poll_after_ms": "5",
    "emulator.error_event": "flat",
}


@pytest.mark.parametrize("outcome", ["completed", "failed:server_error", "incomplete"])
def test_reconnecting_after_the_terminal_event_yields_nothing(background_api: str, outcome: str) -> None:
    with (
        openai.OpenAI(api_key="sk-emulator", base_url=background_api) as stock,
        obe.OpenAI(
            api_key="sk-emulator", base_url=background_api, raise_on=("failed", "incomplete")
        ) as client,
    ):
        _reconnect_after_the_end(stock, client, outcome)


def _reconnect_after_the_end(stock: openai.OpenAI, client: obe.OpenAI, outcome: str) -> None:
    created = stock.responses.create(
        model="gpt-4.1", input="hi", background=True, metadata={**FAST, "emulator.outcome": outcome}
    )
    with stock.responses.retrieve(created.id, stream=True) as whole:
        numbers = [event.sequence_number for event in whole if event.type != "error"]
    last = numbers[-1]

    with stock.responses.retrieve(created.id, stream=True, starting_after=last) as rest:
        assert list(rest) == []
    with client.responses.retrieve(created.id, stream=True, starting_after=last) as rest:
        assert list(rest) == []
