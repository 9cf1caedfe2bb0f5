"""One emulated response: its timeline as a pure function of elapsed time.

A job never runs anything. It records when it was created (a monotonic clock
reading) and its `Script`; its status, its body and which of its stream
events exist are all computed from the seconds elapsed since then::

    0 ........ queue_s ................ queue_s + run_s
    queued     in_progress (deltas)      completed | failed | incomplete

(a foreground job is ``in_progress`` from the start, as the API's are).

Cancelling freezes the timeline: the job is ``cancelled`` from then on,
keeps the output it had streamed, and no later event ever appears. The only
other mutable state is what the script spends: stream drops and poll faults,
and the request counters.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .error_events import error_event
from .script import Fault, Script
from .webhooks import DeliveryCounts
from .wire import (
    Json,
    content_part,
    error_message,
    message_item,
    response_body,
    text_deltas,
    usage,
)

__all__ = ["Job", "JobStats", "TimedEvent"]

SETTLED = frozenset({"completed", "failed", "incomplete", "cancelled"})


@dataclass(frozen=True)
class TimedEvent:
    """A stream event and the elapsed second at which it comes into existence."""

    at: float
    event: Json


@dataclass
class JobStats:
    """Requests the server saw for one job (read back at ``/v1/emulator/responses/{id}``)."""

    polls: int = 0
    streams: int = 0
    cancels: int = 0
    drops: int = 0
    faults: list[str] = field(default_factory=list[str])
    webhooks: DeliveryCounts = field(default_factory=DeliveryCounts)

    def to_json(self) -> Json:
        return {
            "polls": self.polls,
            "streams": self.streams,
            "cancels": self.cancels,
            "drops": self.drops,
            "faults": list(self.faults),
            "webhook_attempts": self.webhooks.attempts,
            "webhook_deliveries": self.webhooks.deliveries,
            "webhook_abandoned": self.webhooks.abandoned,
        }


@dataclass
class Job:
    """An emulated response and everything needed to answer for it."""

    response_id: str
    item_id: str
    created_at: int
    started: float
    script: Script
    model: str
    background: bool
    metadata: dict[str, str]
    echo: Json
    input_items: list[Json] = field(default_factory=list[Json])
    """The create request's ``input`` as ``GET /v1/responses/{id}/input_items`` lists it, oldest first."""
    cancelled_at: float | None = None
    stats: JobStats = field(default_factory=JobStats)
    drops_left: int = field(init=False)
    faults: deque[Fault] = field(init=False)
    timeline: tuple[TimedEvent, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.drops_left = self.script.drop_times
        self.faults = deque(self.script.poll_faults)
        self.timeline = self._plan()

    @property
    def queue_s(self) -> float:
        return self.script.queue_ms / 1000

    @property
    def terminal_s(self) -> float:
        return (self.script.queue_ms + self.script.run_ms) / 1000

    def status(self, elapsed: float) -> str:
        """``queued``, ``in_progress``, the scripted outcome, or ``cancelled``."""
        if self.cancelled_at is not None:
            return "cancelled"
        if elapsed < self.queue_s:
            return self._waiting_status
        if elapsed < self.terminal_s:
            return "in_progress"
        return self.script.outcome

    @property
    def _waiting_status(self) -> str:
        """The status before the run starts: ``queued`` in the background; a foreground
        response is ``in_progress`` from its first event on, as the API's are."""
        return "queued" if self.background else "in_progress"

    def settled(self, elapsed: float) -> bool:
        """Whether the job reached a state it never leaves."""
        return self.status(elapsed) in SETTLED

    def snapshot(self, elapsed: float) -> Json:
        """The response body at ``elapsed`` seconds."""
        return self._body(self.status(elapsed))

    def events(self, elapsed: float) -> list[Json]:
        """The stream events that exist at ``elapsed`` seconds, in order."""
        horizon = elapsed if self.cancelled_at is None else min(elapsed, self.cancelled_at)
        return [timed.event for timed in self.timeline if timed.at <= horizon]

    def next_event_at(self, index: int) -> float | None:
        """When event ``index`` appears, or None if it never will."""
        if index >= len(self.timeline):
            return None
        at = self.timeline[index].at
        return None if self.cancelled_at is not None and at > self.cancelled_at else at

    def cancel(self, elapsed: float) -> None:
        """Cancel at ``elapsed`` seconds; a settled job stays as it is."""
        if not self.settled(elapsed):
            self.cancelled_at = elapsed

    def take_drop(self) -> bool:
        """Spend one scripted stream drop, if any is left."""
        if self.drops_left <= 0:
            return False
        self.drops_left -= 1
        self.stats.drops += 1
        return True

    def take_fault(self) -> Fault | None:
        """Spend the next scripted poll fault, if any is left."""
        if not self.faults:
            return None
        fault = self.faults.popleft()
        self.stats.faults.append(fault)
        return fault

    def _body(self, status: str) -> Json:
        script = self.script
        text = script.output_text
        output: list[Json] = []
        if status in ("completed", "incomplete"):
            output = [message_item(self.item_id, status=status, text=text)]
        elif status == "cancelled" and self.cancelled_at is not None:
            output = self._streamed_output(self.cancelled_at)
        error: Json | None = None
        if status == "failed" and script.detail is not None:
            error = {"code": script.detail, "message": error_message(script.detail), "param": None}
        settled_at = self.created_at + round(self.terminal_s)
        return response_body(
            response_id=self.response_id,
            created_at=self.created_at,
            model=self.model,
            background=self.background,
            metadata=self.metadata,
            echo=self.echo,
            status=status,
            output=output,
            error=error,
            incomplete=status == "incomplete",
            incomplete_reason=script.detail if status == "incomplete" else None,
            completed_at=settled_at if status == "completed" else None,
            usage=usage(len(text_deltas(text))) if status in ("completed", "incomplete") else None,
        )

    def _streamed_output(self, until: float) -> list[Json]:
        """The output streamed by ``until``: the message, if it was added, with the text sent so far.

        A cancelled response keeps what it had produced; its message was never finished, so it
        is ``incomplete``.
        """
        sent = self.events(until)
        if not any(event["type"] == "response.output_item.added" for event in sent):
            return []
        text = "".join(event["delta"] for event in sent if event["type"] == "response.output_text.delta")
        return [message_item(self.item_id, status="incomplete", text=text)]

    def _plan(self) -> tuple[TimedEvent, ...]:
        """Every event the job would emit if nobody cancelled it."""
        queue, end = self.queue_s, self.terminal_s
        first = self._waiting_status if queue > 0 else "in_progress"
        planned: list[tuple[float, Json]] = [
            (0.0, {"type": "response.created", "response": self._body(first)})
        ]
        if first == "queued":
            planned.append((0.0, {"type": "response.queued", "response": self._body("queued")}))
        planned.append((queue, {"type": "response.in_progress", "response": self._body("in_progress")}))
        outcome = self.script.outcome
        if outcome == "failed":
            planned.append((end, error_event(self.script.detail, self.script.error_event)))
            planned.append((end, {"type": "response.failed", "response": self._body("failed")}))
        else:
            planned.extend(self._text_events(queue, end, outcome))
            planned.append((end, {"type": f"response.{outcome}", "response": self._body(outcome)}))
        return tuple(
            TimedEvent(at, {**event, "sequence_number": number}) for number, (at, event) in enumerate(planned)
        )

    def _text_events(self, queue: float, end: float, outcome: str) -> list[tuple[float, Json]]:
        ids = {"item_id": self.item_id, "output_index": 0, "content_index": 0}
        text = self.script.output_text
        deltas = text_deltas(text)
        step = (end - queue) / (len(deltas) + 1)
        events: list[tuple[float, Json]] = [
            (
                queue,
                {
                    "type": "response.output_item.added",
                    "output_index": 0,
                    "item": message_item(self.item_id, status="in_progress", text=None),
                },
            ),
            (queue, {"type": "response.content_part.added", **ids, "part": content_part("")}),
        ]
        for number, delta in enumerate(deltas, start=1):
            events.append(
                (
                    queue + step * number,
                    {"type": "response.output_text.delta", **ids, "delta": delta, "logprobs": []},
                )
            )
        events += [
            (end, {"type": "response.output_text.done", **ids, "text": text, "logprobs": []}),
            (end, {"type": "response.content_part.done", **ids, "part": content_part(text)}),
            (
                end,
                {
                    "type": "response.output_item.done",
                    "output_index": 0,
                    "item": message_item(self.item_id, status=outcome, text=text),
                },
            ),
        ]
        return events
