"""The fate of an emulated job, read from the create request's ``metadata``.

Every key starting with ``emulator.`` belongs to the emulator; any other
metadata is kept and echoed untouched. All values are strings, as the API's
metadata values are::

    emulator.outcome            completed | failed | failed:<code>
                                | incomplete | incomplete:<reason>
    emulator.queue_ms           <int>  time spent "queued"            (default 50)
    emulator.run_ms             <int>  then time spent "in_progress"  (default 250)
    emulator.poll_after_ms      <int>  the openai-poll-after-ms value (default 100)
    emulator.drop_stream_after  <N> | <N>x<K>  cut a stream after N events, K times
    emulator.poll_faults        comma list of 500, 429, reset
    emulator.output_text        <text> the answer's text     (default "Hello from the local emulator.")
    emulator.stream_ttl_ms      <int>  streaming it again is refused from this age on (default 300000)
    emulator.webhook_faults     comma list of duplicate, late:<int>
                                (deliver the end-of-job webhook twice with one
                                webhook-id; deliver it <int> ms after the end)
    emulator.error_event        flat | nested   the in-band error event's shape
                                (default DEFAULT_ERROR_EVENT_SHAPE)

``<int>`` is a decimal integer from 0 to 86,400,000 (one day). ``<code>`` and
``<reason>`` are any non-empty string, kept verbatim; ``<text>`` is any string
(metadata values are at most 512 characters). An unknown
``emulator.*`` key or a malformed value raises `ScriptError`, which names the
key; the app answers it with HTTP 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .error_events import SHAPES, ErrorEventShape

__all__ = [
    "DEFAULT_ERROR_EVENT_SHAPE",
    "DEFAULT_OUTPUT_TEXT",
    "DEFAULT_POLL_AFTER_MS",
    "DEFAULT_QUEUE_MS",
    "DEFAULT_RUN_MS",
    "DEFAULT_STREAM_TTL_MS",
    "KEYS",
    "PREFIX",
    "Fault",
    "Script",
    "ScriptError",
    "parse_script",
]

PREFIX = "emulator."
OUTCOME = "emulator.outcome"
QUEUE_MS = "emulator.queue_ms"
RUN_MS = "emulator.run_ms"
POLL_AFTER_MS = "emulator.poll_after_ms"
DROP_STREAM_AFTER = "emulator.drop_stream_after"
POLL_FAULTS = "emulator.poll_faults"
OUTPUT_TEXT = "emulator.output_text"
STREAM_TTL_MS = "emulator.stream_ttl_ms"
WEBHOOK_FAULTS = "emulator.webhook_faults"
ERROR_EVENT = "emulator.error_event"
KEYS = (
    OUTCOME,
    QUEUE_MS,
    RUN_MS,
    POLL_AFTER_MS,
    DROP_STREAM_AFTER,
    POLL_FAULTS,
    OUTPUT_TEXT,
    STREAM_TTL_MS,
    WEBHOOK_FAULTS,
    ERROR_EVENT,
)

DEFAULT_QUEUE_MS = 50
DEFAULT_RUN_MS = 250
DEFAULT_POLL_AFTER_MS = 100
DEFAULT_OUTPUT_TEXT = "Hello from the local emulator."
DEFAULT_STREAM_TTL_MS = 300_000
"""The API's window: a background response more than 5 minutes old can no longer be streamed."""
DEFAULT_ERROR_EVENT_SHAPE: ErrorEventShape = "nested"
"""The in-band error event's shape when a job's script names none: the live API's (see docs/emulator.md)."""
MAX_MS = 86_400_000

Fault = Literal["500", "429", "reset"]
FAULTS: dict[str, Fault] = {"500": "500", "429": "429", "reset": "reset"}
Terminal = Literal["completed", "failed", "incomplete"]

_INT = re.compile(r"[0-9]{1,9}")
_DROP = re.compile(r"(?P<n>[0-9]{1,6})(?:x(?P<k>[0-9]{1,6}))?")


class ScriptError(ValueError):
    """A malformed ``emulator.*`` metadata entry; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Script:
    """What a job will do: when it changes state, how it ends, what goes wrong."""

    outcome: Terminal = "completed"
    detail: str | None = None
    """The failure code or incomplete reason (None: a null error or reason)."""
    queue_ms: int = DEFAULT_QUEUE_MS
    run_ms: int = DEFAULT_RUN_MS
    poll_after_ms: int = DEFAULT_POLL_AFTER_MS
    drop_after_events: int | None = None
    drop_times: int = 0
    poll_faults: tuple[Fault, ...] = ()
    output_text: str = DEFAULT_OUTPUT_TEXT
    """The assistant text of a completed or incomplete answer (a JSON document, for structured outputs)."""
    stream_ttl_ms: int = DEFAULT_STREAM_TTL_MS
    """Streaming the response again (``GET ...?stream=true``) is refused from this age on."""
    webhook_copies: int = 1
    """How many times the end-of-job webhook is delivered (2 with ``duplicate``)."""
    webhook_late_ms: int = 0
    """How long after the job's end its webhook is first sent."""
    error_event: ErrorEventShape = DEFAULT_ERROR_EVENT_SHAPE
    """The shape of the in-band ``error`` event a failed job streams (see `error_events`)."""


def parse_script(metadata: dict[str, str]) -> Script:
    """Read the ``emulator.*`` keys of ``metadata``; raise `ScriptError` on any bad one."""
    for key in metadata:
        if key.startswith(PREFIX) and key not in KEYS:
            raise ScriptError(key, f"Unknown emulator metadata key {key!r}; known keys: {', '.join(KEYS)}.")
    outcome, detail = _outcome(metadata.get(OUTCOME, "completed"))
    drop_after, drop_times = _drop(metadata.get(DROP_STREAM_AFTER))
    webhook_copies, webhook_late_ms = _webhook_faults(metadata.get(WEBHOOK_FAULTS))
    return Script(
        outcome=outcome,
        detail=detail,
        queue_ms=_millis(metadata, QUEUE_MS, DEFAULT_QUEUE_MS),
        run_ms=_millis(metadata, RUN_MS, DEFAULT_RUN_MS),
        poll_after_ms=_millis(metadata, POLL_AFTER_MS, DEFAULT_POLL_AFTER_MS),
        drop_after_events=drop_after,
        drop_times=drop_times,
        poll_faults=_faults(metadata.get(POLL_FAULTS)),
        output_text=metadata.get(OUTPUT_TEXT, DEFAULT_OUTPUT_TEXT),
        stream_ttl_ms=_millis(metadata, STREAM_TTL_MS, DEFAULT_STREAM_TTL_MS),
        webhook_copies=webhook_copies,
        webhook_late_ms=webhook_late_ms,
        error_event=_error_event(metadata.get(ERROR_EVENT)),
    )


def _outcome(value: str) -> tuple[Terminal, str | None]:
    head, colon, detail = value.partition(":")
    if head in ("completed", "failed", "incomplete") and not (colon and not detail):
        if head == "completed" and colon:
            raise ScriptError(OUTCOME, f"Invalid {OUTCOME} {value!r}: 'completed' takes no ':<detail>'.")
        terminal: Terminal = (
            "completed" if head == "completed" else "failed" if head == "failed" else "incomplete"
        )
        return terminal, detail if colon else None
    raise ScriptError(
        OUTCOME,
        f"Invalid {OUTCOME} {value!r}: expected completed, failed, failed:<code>, incomplete or incomplete:<reason>.",
    )


def _millis(metadata: dict[str, str], key: str, default: int) -> int:
    value = metadata.get(key)
    if value is None:
        return default
    if not _INT.fullmatch(value) or int(value) > MAX_MS:
        raise ScriptError(
            key, f"Invalid {key} {value!r}: expected an integer number of milliseconds 0..{MAX_MS}."
        )
    return int(value)


def _drop(value: str | None) -> tuple[int | None, int]:
    if value is None:
        return None, 0
    match = _DROP.fullmatch(value)
    times = 1 if match is None or match["k"] is None else int(match["k"])
    if match is None or times < 1:
        raise ScriptError(
            DROP_STREAM_AFTER,
            f"Invalid {DROP_STREAM_AFTER} {value!r}: expected N or NxK (drop after N events, K >= 1 times).",
        )
    return int(match["n"]), times


def _faults(value: str | None) -> tuple[Fault, ...]:
    if value is None:
        return ()
    faults: list[Fault] = []
    for item in value.split(","):
        fault = FAULTS.get(item.strip())
        if fault is None:
            raise ScriptError(
                POLL_FAULTS, f"Invalid {POLL_FAULTS} {value!r}: expected a comma list of 500, 429 and reset."
            )
        faults.append(fault)
    return tuple(faults)


def _webhook_faults(value: str | None) -> tuple[int, int]:
    """(copies, late_ms) from ``duplicate`` and ``late:<ms>``, each at most once."""
    copies, late_ms = 1, 0
    if value is None:
        return copies, late_ms
    seen: set[str] = set()
    for item in (part.strip() for part in value.split(",")):
        name, colon, millis = item.partition(":")
        if name in seen:
            raise ScriptError(WEBHOOK_FAULTS, f"Invalid {WEBHOOK_FAULTS} {value!r}: {name!r} is given twice.")
        seen.add(name)
        if item == "duplicate":
            copies = 2
        elif name == "late" and colon and _INT.fullmatch(millis) and int(millis) <= MAX_MS:
            late_ms = int(millis)
        else:
            raise ScriptError(
                WEBHOOK_FAULTS,
                f"Invalid {WEBHOOK_FAULTS} {value!r}: expected a comma list of duplicate and late:<ms> "
                f"(ms an integer 0..{MAX_MS}).",
            )
    return copies, late_ms


def _error_event(value: str | None) -> ErrorEventShape:
    if value is None:
        return DEFAULT_ERROR_EVENT_SHAPE
    for shape in SHAPES:
        if value == shape:
            return shape
    raise ScriptError(ERROR_EVENT, f"Invalid {ERROR_EVENT} {value!r}: expected {' or '.join(SHAPES)}.")
