"""Webhook deliveries: the events the API POSTs when a background response ends.

When a background job reaches a terminal status (``completed``, ``failed``,
``incomplete`` or ``cancelled``) the emulator POSTs the API's event to the
configured URL::

    {"id": "evt_...", "object": "event", "created_at": 1764700000,
     "type": "response.failed", "data": {"id": "resp_..."}}

signed as standard-webhooks prescribes and the SDK's ``webhooks.unwrap``
verifies: headers ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``,
keyed with the base64-decoded secret after its ``whsec_`` prefix.

Delivery is at least once, as the API's is: a non-2xx answer (a redirect
included) or a connection error is retried with a doubling, capped backoff, up
to `MAX_ATTEMPTS` POSTs, every one with the same ``webhook-id`` and body, freshly
timestamped and signed. A job's ``emulator.webhook_faults`` can ask for the
event twice (``duplicate``: two deliveries, one ``webhook-id``) or late
(``late:<ms>`` after the job ended).

Deliveries never touch the server's event loop: `WebhookSender` keeps its own
queue, ordered by due time, served by a few threads of its own with blocking
``urllib`` POSTs, so a slow or dead receiver never slows an API answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from .wire import Json, new_id

__all__ = [
    "MAX_ATTEMPTS",
    "WebhookSender",
    "WebhookTarget",
    "event_body",
    "new_webhook_secret",
    "signature",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_S = 0.05
MAX_RETRY_S = 1.0
POST_TIMEOUT_S = 5.0
SENDER_THREADS = 4
STOP_TIMEOUT_S = 5.0
SECRET_PREFIX = "whsec_"


def new_webhook_secret() -> str:
    """A fresh secret in the API's format: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class WebhookTarget:
    """Where the emulator POSTs its events, and the ``whsec_...`` secret it signs them with."""

    url: str
    secret: str

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"Expected an http:// or https:// webhook URL, got {self.url!r}")
        self.key()  # fail at configuration time, not at the first delivery

    def key(self) -> bytes:
        """The HMAC key: the base64-decoded secret after its ``whsec_`` prefix."""
        if not self.secret.startswith(SECRET_PREFIX):
            raise ValueError(f"Expected a webhook secret starting with {SECRET_PREFIX!r}")
        try:
            key = base64.b64decode(self.secret.removeprefix(SECRET_PREFIX), validate=True)
        except binascii.Error:
            raise ValueError(f"Expected base64 after {SECRET_PREFIX!r} in the webhook secret") from None
        if not key:
            raise ValueError("The webhook secret is empty after its prefix")
        return key


def event_body(event_type: str, response_id: str) -> bytes:
    """The event the API sends for a response that ended, as JSON bytes."""
    event: Json = {
        "id": new_id("evt"),
        "object": "event",
        "created_at": int(time.time()),
        "type": event_type,
        "data": {"id": response_id},
    }
    return json.dumps(event, separators=(",", ":")).encode()


def signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The ``webhook-signature`` header value for one delivery."""
    signed = b".".join((webhook_id.encode(), timestamp.encode(), body))
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@dataclass
class DeliveryCounts:
    """What the sender did for one job (shown in the job's counters)."""

    attempts: int = 0
    deliveries: int = 0
    abandoned: int = 0


@dataclass
class _Delivery:
    """One event to deliver; ``event`` is built when it first falls due (None: nothing to send)."""

    webhook_id: str
    event: Callable[[], bytes | None]
    counts: DeliveryCounts
    repeats: int
    """Deliveries still owed after the next successful one (the ``duplicate`` fault)."""
    body: bytes | None = None
    attempts: int = 0


@dataclass(order=True)
class _Due:
    at: float
    order: int
    delivery: _Delivery = field(compare=False)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a refusal (standard-webhooks counts only 2xx), not something to follow."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class WebhookSender:
    """Delivers signed events to one `WebhookTarget` from its own threads, retrying until a 2xx.

    `schedule` may be called from any thread; `close` stops the threads (deliveries
    still queued are dropped, and logged).
    """

    def __init__(
        self,
        target: WebhookTarget,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        first_retry_s: float = FIRST_RETRY_S,
        max_retry_s: float = MAX_RETRY_S,
        threads: int = SENDER_THREADS,
    ) -> None:
        self.target = target
        self._key = target.key()
        self._max_attempts = max_attempts
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._queue: list[_Due] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._closing = False
        self._opener = urllib.request.build_opener(_NoRedirects())
        self._threads = [
            threading.Thread(target=self._work, name=f"emulator-webhooks:{number}", daemon=True)
            for number in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def schedule(
        self, delay_s: float, event: Callable[[], bytes | None], counts: DeliveryCounts, *, copies: int = 1
    ) -> None:
        """Deliver ``event()`` (built when due; None skips it) in ``delay_s``; ``copies`` > 1 delivers
        the same event again, with the same ``webhook-id``, after each success."""
        if copies < 1:
            raise ValueError(f"Expected copies >= 1, got {copies}")
        delivery = _Delivery(new_id("wh"), event, counts, repeats=copies - 1)
        self._push(delay_s, delivery)

    def pending(self) -> int:
        """Deliveries queued or waiting for a retry."""
        with self._changed:
            return len(self._queue)

    def close(self) -> None:
        """Stop the threads; whatever is still queued is dropped (and logged)."""
        with self._changed:
            self._closing = True
            dropped = len(self._queue)
            self._queue.clear()
            self._changed.notify_all()
        for thread in self._threads:
            thread.join(STOP_TIMEOUT_S)
            if thread.is_alive():
                log.warning("the webhook thread %s did not stop within %g s", thread.name, STOP_TIMEOUT_S)
        if dropped:
            log.warning("the emulator stopped with %d webhook deliveries still queued", dropped)

    def _work(self) -> None:
        while True:
            due = self._next_due()
            if due is None:
                return
            self._attempt(due.delivery)

    def _next_due(self) -> _Due | None:
        with self._changed:
            while not self._closing:
                if self._queue:
                    wait = self._queue[0].at - time.monotonic()
                    if wait <= 0:
                        return heapq.heappop(self._queue)
                    self._changed.wait(wait)
                else:
                    self._changed.wait()
            return None

    def _attempt(self, delivery: _Delivery) -> None:
        if delivery.body is None:
            delivery.body = delivery.event()
            if delivery.body is None:
                return
        delivery.attempts += 1
        with self._changed:
            delivery.counts.attempts += 1
        refusal = self._post(delivery.webhook_id, delivery.body)
        if refusal is None:
            with self._changed:
                delivery.counts.deliveries += 1
            if delivery.repeats > 0:
                delivery.repeats -= 1
                delivery.attempts = 0
                self._push(0.0, delivery)
            return
        if delivery.attempts >= self._max_attempts:
            with self._changed:
                delivery.counts.abandoned += 1
            log.warning(
                "webhook %s abandoned after %d attempts; last: %s",
                delivery.webhook_id,
                delivery.attempts,
                refusal,
            )
            return
        self._push(min(self._max_retry_s, self._first_retry_s * 2 ** (delivery.attempts - 1)), delivery)

    def _push(self, delay_s: float, delivery: _Delivery) -> None:
        with self._changed:
            if not self._closing:
                heapq.heappush(self._queue, _Due(time.monotonic() + delay_s, next(self._order), delivery))
                self._changed.notify()

    def _post(self, webhook_id: str, body: bytes) -> str | None:
        """POST one attempt; None when the receiver answered 2xx, else why not."""
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            self.target.url,
            data=body,
            method="POST",
            headers={
                "content-type": "application/json",
                "user-agent": "openai-background-errors-emulator",
                "webhook-id": webhook_id,
                "webhook-timestamp": timestamp,
                "webhook-signature": signature(self._key, webhook_id, timestamp, body),
            },
        )
        try:
            with self._opener.open(request, timeout=POST_TIMEOUT_S) as answer:
                answer.read()
                status: int = answer.status
        except urllib.error.HTTPError as error:
            error.close()
            return f"HTTP {error.code}"
        except OSError as error:  # URLError, refused or reset connections, timeouts
            return f"{type(error).__name__}: {error}"
        return None if 200 <= status < 300 else f"HTTP {status}"
