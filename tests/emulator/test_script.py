"""The ``emulator.*`` metadata grammar, parsed without a server."""

from __future__ import annotations

import pytest

from openai_background_errors.emulator.script import (
    DEFAULT_ERROR_EVENT_SHAPE,
    Script,
    ScriptError,
    parse_script,
)
from openai_background_errors.emulator.wire import text_deltas


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({}, Script()),
        ({"user.tag": "kept", "emulator.outcome": "completed"}, Script()),
        ({"emulator.outcome": "failed:server_error"}, Script(outcome="failed", detail="server_error")),
        (
            {"emulator.outcome": "failed:Weird code: kept"},
            Script(outcome="failed", detail="Weird code: kept"),
        ),
        ({"emulator.outcome": "failed"}, Script(outcome="failed", detail=None)),
        (
            {"emulator.outcome": "incomplete:max_output_tokens"},
            Script(outcome="incomplete", detail="max_output_tokens"),
        ),
        ({"emulator.outcome": "incomplete"}, Script(outcome="incomplete", detail=None)),
        (
            {"emulator.queue_ms": "0", "emulator.run_ms": "15", "emulator.poll_after_ms": "7"},
            Script(queue_ms=0, run_ms=15, poll_after_ms=7),
        ),
        ({"emulator.drop_stream_after": "3"}, Script(drop_after_events=3, drop_times=1)),
        ({"emulator.drop_stream_after": "0x4"}, Script(drop_after_events=0, drop_times=4)),
        ({"emulator.poll_faults": "500, reset,429"}, Script(poll_faults=("500", "reset", "429"))),
        ({"emulator.output_text": '{"city": "Oslo"}'}, Script(output_text='{"city": "Oslo"}')),
        ({"emulator.output_text": ""}, Script(output_text="")),
        ({"emulator.stream_ttl_ms": "0"}, Script(stream_ttl_ms=0)),
        ({"emulator.error_event": "nested"}, Script(error_event="nested")),
        ({"emulator.error_event": "flat"}, Script(error_event="flat")),
    ],
)
def test_valid_scripts(metadata: dict[str, str], expected: Script) -> None:
    assert parse_script(metadata) == expected


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("emulator.outcom", "completed"),
        ("emulator.", "x"),
        ("emulator.outcome", "cancelled"),
        ("emulator.outcome", "failed:"),
        ("emulator.outcome", "incomplete:"),
        ("emulator.outcome", "completed:yes"),
        ("emulator.outcome", ""),
        ("emulator.queue_ms", "-1"),
        ("emulator.queue_ms", "1.5"),
        ("emulator.run_ms", "soon"),
        ("emulator.run_ms", "86400001"),
        ("emulator.poll_after_ms", ""),
        ("emulator.drop_stream_after", "x2"),
        ("emulator.drop_stream_after", "3x0"),
        ("emulator.drop_stream_after", "3x"),
        ("emulator.poll_faults", "500,,429"),
        ("emulator.poll_faults", "503"),
        ("emulator.poll_faults", ""),
        ("emulator.stream_ttl_ms", "5m"),
        ("emulator.stream_ttl_ms", "-1"),
        ("emulator.error_event", "Nested"),
        ("emulator.error_event", ""),
    ],
)
def test_invalid_scripts_name_the_key(key: str, value: str) -> None:
    with pytest.raises(ScriptError) as caught:
        parse_script({key: value})
    assert caught.value.key == key
    assert key in str(caught.value)


def test_defaults_are_the_apis_stream_window_and_the_greeting() -> None:
    assert Script().stream_ttl_ms == 5 * 60 * 1000
    assert Script().output_text == "Hello from the local emulator."
    assert Script().error_event == DEFAULT_ERROR_EVENT_SHAPE


@pytest.mark.parametrize(
    ("text", "deltas"),
    [
        ("Hello from the local emulator.", ["Hello", " from", " the", " local", " emulator."]),
        ('{"city": "Oslo"}\n', ['{"city":', ' "Oslo"}\n']),
        (" lead", [" lead"]),
        ("   ", ["   "]),
        ("", []),
    ],
)
def test_text_deltas_cut_words_and_join_back(text: str, deltas: list[str]) -> None:
    assert text_deltas(text) == deltas
    assert "".join(deltas) == text
