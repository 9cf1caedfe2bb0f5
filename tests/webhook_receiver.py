"""A webhook receiver for the tests: records every delivery, answers as scripted.

`receiving()` serves one on a thread of its own and yields it. Each POST is
recorded (body, headers, arrival time) before it is answered; `answers` scripts
the next answers in order (an HTTP status, or "reset" to cut the connection
without answering), then 200; `answer_for`, when set, decides each answer from
the delivery instead. `hold` makes it keep every delivery waiting until set, to
show that a stuck receiver does not stall the emulator's API.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass, field

import anyio
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from openai_background_errors.emulator import run_in_thread

__all__ = ["Delivery", "Receiver", "receiving"]


@dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    url: str = ""
    deliveries: list[Delivery] = field(default_factory=lambda: [])
    answers: deque[int | str] = field(default_factory=deque[int | str])
    answer_for: Callable[[Delivery], int | str] | None = None
    hold: threading.Event | None = None
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        body = await request.body()
        with self._arrived:
            delivery = Delivery(body, dict(request.headers), time.monotonic())
            self.deliveries.append(delivery)
            if self.answer_for is not None:
                answer = self.answer_for(delivery)
            else:
                answer = self.answers.popleft() if self.answers else 200
            self._arrived.notify_all()
        if self.hold is not None:
            await anyio.to_thread.run_sync(self.hold.wait)
        if answer == "reset":
            # uvicorn closes the connection of an app that returns without answering, and logs
            # "ASGI callable returned without starting response." for it: a scripted refusal.
            return
        await send({"type": "http.response.start", "status": int(answer), "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Delivery]:
        """The first `count` deliveries, once they have arrived (AssertionError after `timeout`)."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.deliveries) >= count, timeout)
            assert arrived, f"expected {count} webhook deliveries, got {len(self.deliveries)}"
            return list(self.deliveries[:count])


@contextmanager
def receiving() -> Generator[Receiver, None, None]:
    receiver = Receiver()
    with run_in_thread(receiver) as root:
        receiver.url = f"{root}/webhooks"
        yield receiver
