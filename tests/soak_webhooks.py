"""The soak's webhooks: a receiver that refuses some attempts, and the check that every job's end arrived.

Every soak job runs in the background, so the emulator POSTs each one's end to the
receiver. `Refusals` decides the answers: per `webhook-id`, drawn from the soak's seed
when it first arrives, the first one or two attempts of about a third of the deliveries
are refused (HTTP 500 or 503, or the connection cut without an answer); every other
attempt gets 200. Two refusals at most, so the emulator's retries (8 attempts) always
get through. Jobs scripted with `emulator.webhook_faults: duplicate` get their accepted
delivery twice under one `webhook-id`.

`check_deliveries` turns every accepted delivery into its job's outcome with
`client.responses.from_webhook` (the signature verified, the response retrieved,
the typed error raised) and counts, per job: delivered (its end arrived at least
once), lost (never), repeated (accepted deliveries after its first); and the refused
attempts, each of which must have been retried until accepted.
"""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import random
import threading
from dataclasses import dataclass, field
from typing import Protocol

from openai.types.responses import Response

import openai_background_errors as obe

from .webhook_receiver import Delivery

__all__ = ["JOB_KEY", "Refusals", "WebhookTally", "check_deliveries", "copies"]

JOB_KEY = "soak_job"
"""Metadata key (echoed by the emulator) naming the soak job a response belongs to."""
REFUSALS = (0, 1, 2)
REFUSAL_WEIGHTS = (6, 3, 1)
REFUSED_ANSWERS: tuple[int | str, ...] = (500, 503, "reset")


def copies(metadata: dict[str, str]) -> int:
    """How many accepted deliveries a job's script asks for (two with the `duplicate` fault)."""
    return 2 if "duplicate" in metadata.get("emulator.webhook_faults", "").split(",") else 1


class SoakJob(Protocol):
    @property
    def metadata(self) -> dict[str, str]: ...
    @property
    def expected(self) -> type[obe.BackgroundResponseError] | None: ...


class Refusals:
    """The receiver's answers (`Receiver.answer_for`), and the deliveries it accepted."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._changed = threading.Condition()
        self._planned: dict[str, int] = {}
        self._attempts: collections.Counter[str] = collections.Counter()
        self.refused: list[str] = []
        """The webhook-id of every refused attempt."""
        self.accepted: list[Delivery] = []

    def __call__(self, delivery: Delivery) -> int | str:
        webhook_id = delivery.webhook_id
        with self._changed:
            if webhook_id not in self._planned:
                self._planned[webhook_id] = self._rng.choices(REFUSALS, REFUSAL_WEIGHTS)[0]
            self._attempts[webhook_id] += 1
            if self._attempts[webhook_id] <= self._planned[webhook_id]:
                self.refused.append(webhook_id)
                return self._rng.choice(REFUSED_ANSWERS)
            self.accepted.append(delivery)
            self._changed.notify_all()
            return 200

    def wait_accepted(self, count: int, timeout: float) -> list[Delivery]:
        """The accepted deliveries once there are `count` (fewer if `timeout` runs out: the check counts them)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.accepted) >= count, timeout)
            return list(self.accepted)


@dataclass
class WebhookTally:
    jobs: int = 0
    delivered: int = 0
    refused: int = 0
    lost: int = 0
    repeated: int = 0
    duplicates_scripted: int = 0
    mismatches: list[str] = field(default_factory=lambda: [])

    def line(self) -> str:
        return (
            f"soak webhooks: jobs={self.jobs} delivered={self.delivered} refused/retried={self.refused} "
            f"lost={self.lost} repeated={self.repeated} (duplicate scripted {self.duplicates_scripted}) "
            f"mismatches={len(self.mismatches)}"
        )


def _outcome(
    client: obe.OpenAI, delivery: Delivery
) -> tuple[Response, type[obe.BackgroundResponseError] | None]:
    """The response a delivery announces, and the typed error `from_webhook` raised for it (or None)."""
    raised: obe.BackgroundResponseError | None = None
    try:
        response = client.responses.from_webhook(delivery.body, delivery.headers)
    except obe.BackgroundResponseError as error:
        raised, response = error, error.response
    assert response is not None
    return response, None if raised is None else type(raised)


def check_deliveries(
    client: obe.OpenAI,
    jobs: dict[int, SoakJob],
    refusals: Refusals,
    accepted: list[Delivery],
    *,
    threads: int,
) -> WebhookTally:
    """Count, per soak job (`jobs` by number), what its webhooks did."""
    tally = WebhookTally(jobs=len(jobs), refused=len(refusals.refused))
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        outcomes = list(pool.map(functools.partial(_outcome, client), accepted))
    ids_by_job: dict[int, list[str]] = collections.defaultdict(list)
    for delivery, (response, raised) in zip(accepted, outcomes, strict=True):
        assert response.metadata is not None
        number = int(response.metadata[JOB_KEY])
        ids_by_job[number].append(delivery.webhook_id)
        if raised is not jobs[number].expected:
            tally.mismatches.append(
                f"job {number}: webhook outcome {raised}, expected {jobs[number].expected}"
            )
    for number, job in jobs.items():
        ids = ids_by_job.get(number, [])
        wanted = copies(job.metadata)
        tally.duplicates_scripted += wanted - 1
        tally.delivered += bool(ids)
        tally.lost += not ids
        tally.repeated += max(0, len(ids) - 1)
        if len(ids) != wanted or len(set(ids)) > 1:
            tally.mismatches.append(f"job {number} {job.metadata}: accepted webhook ids {ids}")
    owners = collections.Counter(webhook_id for ids in ids_by_job.values() for webhook_id in set(ids))
    tally.mismatches += [
        f"webhook id {webhook_id} on {count} jobs" for webhook_id, count in owners.items() if count > 1
    ]
    never_accepted = set(refusals.refused) - set(owners)
    tally.mismatches += [
        f"webhook id {webhook_id} refused, never retried until accepted" for webhook_id in never_accepted
    ]
    return tally
