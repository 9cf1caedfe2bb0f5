"""`responses.from_webhook`: the emulator's real deliveries, verified, then retrieved through the client."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import openai
import pytest
from examples.webhook_receiver import receiver_app
from openai.types.responses import Response

import openai_background_errors as obe
from openai_background_errors.emulator import WebhookTarget, new_webhook_secret, run_in_thread
from openai_background_errors.emulator.webhooks import signature

from .webhook_receiver import Delivery, Receiver

SECRET = new_webhook_secret()
FAST = {"emulator.queue_ms": "0", "emulator.run_ms": "10", "emulator.poll_after_ms": "10"}

ClientFactory = Callable[..., Any]


@pytest.fixture
def background_api_webhook(receiver: Receiver) -> WebhookTarget:
    return WebhookTarget(receiver.url, SECRET)


@pytest.fixture
async def make_client(background_api: str) -> AsyncIterator[ClientFactory]:
    opened: list[Any] = []

    def make(is_async: bool, **options: Any) -> Any:
        cls = obe.AsyncOpenAI if is_async else obe.OpenAI
        settings: dict[str, Any] = {
            "api_key": "sk-emulator",
            "base_url": background_api,
            "webhook_secret": SECRET,
        }
        settings.update(options)
        client = cls(**settings)
        opened.append(client)
        return client

    yield make
    for client in opened:
        await _call(client.close())


async def _call(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


def _polls(client: Any, base_url: str, response_id: str) -> int:
    with openai.OpenAI(api_key="unused", base_url=base_url) as stock:
        stats = stock.get(f"/emulator/responses/{response_id}", cast_to=object)
    assert isinstance(stats, dict)
    polls = stats["polls"]  # pyright: ignore[reportUnknownVariableType]
    assert isinstance(polls, int)
    return polls


async def _ended(client: Any, receiver: Receiver, outcome: str) -> tuple[str, Delivery]:
    """Create a background job with `outcome` and wait for its webhook."""
    count = len(receiver.deliveries) + 1
    created = await _call(
        client.responses.create(
            model="gpt-test", input="hi", background=True, metadata={**FAST, "emulator.outcome": outcome}
        )
    )
    deliveries = await asyncio.to_thread(receiver.wait_for, count)
    return created.id, deliveries[-1]


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_completed_webhook_returns_the_response(
    make_client: ClientFactory, receiver: Receiver, is_async: bool
) -> None:
    client = make_client(is_async)
    response_id, delivery = await _ended(client, receiver, "completed")
    response = await _call(client.responses.from_webhook(delivery.body, delivery.headers))
    assert isinstance(response, Response)
    assert (response.id, response.status, response.output_text) == (
        response_id,
        "completed",
        "Hello from the local emulator.",
    )


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_failed_webhook_raises_the_typed_error_with_the_retrieves_request_id(
    make_client: ClientFactory, receiver: Receiver, is_async: bool
) -> None:
    client = make_client(is_async)
    response_id, delivery = await _ended(client, receiver, "failed:server_error")
    with pytest.raises(obe.BackgroundServerError) as raised:
        await _call(client.responses.from_webhook(delivery.body.decode(), delivery.headers))
    error = raised.value
    assert (error.response_id, error.code, error.retryable) == (response_id, "server_error", True)
    # The create was this emulator's request 1; the webhook's retrieve is request 2.
    assert error.request_id == "req_emu_2"


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_incomplete_and_cancelled_follow_raise_on(
    make_client: ClientFactory, receiver: Receiver, is_async: bool
) -> None:
    lenient = make_client(is_async)
    _, delivery = await _ended(lenient, receiver, "incomplete:max_output_tokens")
    returned = await _call(lenient.responses.from_webhook(delivery.body, delivery.headers))
    assert isinstance(returned, Response) and returned.status == "incomplete"
    strict = make_client(is_async, raise_on=("failed", "incomplete", "cancelled"))
    with pytest.raises(obe.BackgroundMaxOutputTokensError):
        await _call(strict.responses.from_webhook(delivery.body, delivery.headers))

    created = await _call(
        strict.responses.create(
            model="gpt-test", input="hi", background=True, metadata={**FAST, "emulator.run_ms": "5000"}
        )
    )
    await _call(strict.responses.cancel(created.id))
    (*_, cancelled) = await asyncio.to_thread(receiver.wait_for, 2)
    assert json.loads(cancelled.body)["type"] == "response.cancelled"
    assert (
        await _call(lenient.responses.from_webhook(cancelled.body, cancelled.headers))
    ).status == "cancelled"
    with pytest.raises(obe.BackgroundResponseCancelledError):
        await _call(strict.responses.from_webhook(cancelled.body, cancelled.headers))


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_a_forged_or_wrongly_keyed_delivery_raises_before_anything_is_retrieved(
    make_client: ClientFactory, receiver: Receiver, background_api: str, is_async: bool
) -> None:
    client = make_client(is_async)
    response_id, delivery = await _ended(client, receiver, "failed:server_error")
    forged = delivery.body.replace(b"response.failed", b"response.completed")
    with pytest.raises(openai.InvalidWebhookSignatureError):
        await _call(client.responses.from_webhook(forged, delivery.headers))
    with pytest.raises(openai.InvalidWebhookSignatureError):
        await _call(
            client.responses.from_webhook(delivery.body, delivery.headers, secret=new_webhook_secret())
        )
    stale = {**delivery.headers, "webhook-timestamp": str(int(time.time()) - 3600)}
    with pytest.raises(openai.InvalidWebhookSignatureError):
        await _call(client.responses.from_webhook(delivery.body, stale))
    assert _polls(client, background_api, response_id) == 0


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
async def test_other_event_types_return_none_without_a_request(
    make_client: ClientFactory, background_api: str, is_async: bool
) -> None:
    client = make_client(is_async, max_retries=0)
    body = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "created_at": 1,
            "type": "batch.completed",
            "data": {"id": "batch_1"},
        }
    ).encode()
    timestamp = str(int(time.time()))
    key = WebhookTarget("http://unused", SECRET).key()
    headers = {
        "webhook-id": "wh_1",
        "webhook-timestamp": timestamp,
        "webhook-signature": signature(key, "wh_1", timestamp, body),
    }
    # Given with the secret explicitly, to a client that has none of its own.
    stranger = make_client(is_async, webhook_secret=None)
    assert await _call(stranger.responses.from_webhook(body, headers, secret=SECRET)) is None
    assert await _call(client.responses.from_webhook(body, headers)) is None


def test_a_duplicate_delivery_gives_the_same_answer_twice(
    make_client: ClientFactory, receiver: Receiver
) -> None:
    client = make_client(False)
    created = client.responses.create(
        model="gpt-test",
        input="hi",
        background=True,
        metadata={
            **FAST,
            "emulator.outcome": "failed:invalid_prompt",
            "emulator.webhook_faults": "duplicate",
        },
    )
    first, second = receiver.wait_for(2)
    assert first.webhook_id == second.webhook_id
    errors: list[obe.BackgroundResponseError] = []
    for delivery in (first, second):
        with pytest.raises(obe.BackgroundInvalidPromptError) as raised:
            client.responses.from_webhook(delivery.body, delivery.headers)
        errors.append(raised.value)
    assert [error.response_id for error in errors] == [created.id, created.id]


def test_the_example_receiver_hands_each_delivery_on_once_and_refuses_forgeries(
    background_api: str, receiver: Receiver
) -> None:
    """examples/webhook_receiver.py behind the emulator: the duplicate is acknowledged, not redone."""
    handed_on: list[Response | obe.BackgroundResponseError] = []
    arrived = threading.Condition()
    loops: list[asyncio.AbstractEventLoop] = []

    async def on_outcome(outcome: Response | obe.BackgroundResponseError) -> None:
        with arrived:
            loops.append(asyncio.get_running_loop())
            handed_on.append(outcome)
            arrived.notify_all()

    client = obe.AsyncOpenAI(api_key="sk-emulator", base_url=background_api, webhook_secret=SECRET)
    with (
        run_in_thread(receiver_app(client, on_outcome)) as root,
        openai.OpenAI(api_key="sk-emulator", base_url=background_api) as stock,
    ):
        # The emulator's deliveries go to the test receiver; relay them to the example as they come.
        ids = [
            stock.responses.create(
                model="gpt-test",
                input="hi",
                background=True,
                metadata={**FAST, "emulator.outcome": outcome, **extra},
            ).id
            for outcome, extra in [
                ("completed", {}),
                ("failed:invalid_prompt", {"emulator.webhook_faults": "duplicate"}),
            ]
        ]
        deliveries = receiver.wait_for(3)
        signed = [
            {name: value for name, value in delivery.headers.items() if name.startswith("webhook-")}
            for delivery in deliveries
        ]
        answers = [
            httpx2.post(f"{root}/webhooks/openai", content=delivery.body, headers=headers).status_code
            for delivery, headers in zip(deliveries, signed, strict=True)
        ]
        forged_body = deliveries[0].body.replace(b"response.", b"response.x")
        forged = httpx2.post(f"{root}/webhooks/openai", content=forged_body, headers=signed[0])
        with arrived:
            assert arrived.wait_for(lambda: len(handed_on) >= 2, timeout=20)
        # Closed on the receiver's loop while it runs: its kept-alive connection would otherwise
        # outlive the loop and warn (ResourceWarning) in whichever test the collector next runs in.
        asyncio.run_coroutine_threadsafe(client.close(), loops[0]).result(timeout=20)
    assert answers == [204, 204, 204] and forged.status_code == 400
    assert len(handed_on) == 2  # three deliveries, two webhook-ids
    by_id = {
        outcome.response_id if isinstance(outcome, obe.BackgroundResponseError) else outcome.id: outcome
        for outcome in handed_on
    }
    assert isinstance(by_id[ids[0]], Response) and isinstance(by_id[ids[1]], obe.BackgroundInvalidPromptError)
