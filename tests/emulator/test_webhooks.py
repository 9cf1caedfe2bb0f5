"""The emulator's webhooks: the API's event, signed as the stock SDK verifies, delivered at least once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import subprocess
import sys
import threading
import time

import httpx2
import openai
import pytest
from openai.types.webhooks import (
    ResponseCancelledWebhookEvent,
    ResponseCompletedWebhookEvent,
    ResponseFailedWebhookEvent,
    ResponseIncompleteWebhookEvent,
)

from openai_background_errors.emulator import WebhookTarget, new_webhook_secret, serve
from openai_background_errors.emulator.__main__ import main

from ..webhook_receiver import Delivery, Receiver, receiving
from .conftest import job_stats, script

SECRET = new_webhook_secret()
RESPONSE_EVENTS = (
    ResponseCompletedWebhookEvent,
    ResponseFailedWebhookEvent,
    ResponseIncompleteWebhookEvent,
    ResponseCancelledWebhookEvent,
)


@pytest.fixture
def background_api_webhook(receiver: Receiver) -> WebhookTarget:
    return WebhookTarget(receiver.url, SECRET)


def verified_by_hand(delivery: Delivery, secret: str) -> bool:
    """standard-webhooks, written out: HMAC-SHA256 of "id.timestamp.body" under the decoded secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = (
        f"{delivery.headers['webhook-id']}.{delivery.headers['webhook-timestamp']}.".encode() + delivery.body
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [part.removeprefix("v1,") for part in delivery.headers["webhook-signature"].split()]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


def create(client: openai.OpenAI, **keys: str) -> str:
    return client.responses.create(model="gpt-test", input="hi", background=True, metadata=script(**keys)).id


def wait_for_stats(base_url: str, response_id: str, **expected: int) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while True:
        stats = job_stats(base_url, response_id)
        if all(stats[name] == value for name, value in expected.items()) or time.monotonic() > deadline:
            return stats
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("outcome", "event_type"),
    [
        ("completed", "response.completed"),
        ("failed:server_error", "response.failed"),
        ("incomplete:max_output_tokens", "response.incomplete"),
    ],
)
def test_an_ending_job_posts_the_api_event_signed_as_the_sdk_and_the_standard_verify(
    client: openai.OpenAI, background_api: str, receiver: Receiver, outcome: str, event_type: str
) -> None:
    response_id = create(client, outcome=outcome)
    (delivery,) = receiver.wait_for(1)
    stock = openai.OpenAI(api_key="unused", webhook_secret=SECRET)
    event = stock.webhooks.unwrap(delivery.body, delivery.headers)
    assert isinstance(event, RESPONSE_EVENTS)
    assert (event.type, event.data.id, event.object) == (event_type, response_id, "event")
    assert verified_by_hand(delivery, SECRET)
    body = json.loads(delivery.body)
    assert body["id"].startswith("evt_") and isinstance(body["created_at"], int)
    assert body == {
        "id": body["id"],
        "object": "event",
        "created_at": body["created_at"],
        "type": event_type,
        "data": {"id": response_id},
    }
    assert delivery.headers["content-type"] == "application/json"
    stats = wait_for_stats(background_api, response_id, webhook_deliveries=1)
    assert (stats["webhook_attempts"], stats["webhook_deliveries"], stats["webhook_abandoned"]) == (1, 1, 0)


def test_a_cancel_posts_response_cancelled_once(
    client: openai.OpenAI, background_api: str, receiver: Receiver
) -> None:
    response_id = create(client, run_ms="600")
    client.responses.cancel(response_id)
    client.responses.cancel(response_id)  # a second cancel changes nothing, so announces nothing
    (delivery,) = receiver.wait_for(1)
    assert json.loads(delivery.body)["type"] == "response.cancelled"
    time.sleep(0.8)  # past the scripted end: the job's own end is not announced as well
    assert len(receiver.deliveries) == 1
    assert job_stats(background_api, response_id)["webhook_deliveries"] == 1


def test_a_refused_delivery_is_retried_with_the_same_webhook_id_and_a_valid_signature(
    client: openai.OpenAI, background_api: str, receiver: Receiver
) -> None:
    receiver.answers.extend([503, "reset", 302, 404])
    response_id = create(client, outcome="failed:rate_limit_exceeded")
    deliveries = receiver.wait_for(5)
    assert len({delivery.webhook_id for delivery in deliveries}) == 1
    assert len({delivery.body for delivery in deliveries}) == 1
    assert all(verified_by_hand(delivery, SECRET) for delivery in deliveries)
    stats = wait_for_stats(background_api, response_id, webhook_deliveries=1)
    assert (stats["webhook_attempts"], stats["webhook_deliveries"]) == (5, 1)


def test_duplicate_delivers_one_event_twice_under_one_webhook_id(
    client: openai.OpenAI, background_api: str, receiver: Receiver
) -> None:
    response_id = create(client, webhook_faults="duplicate")
    first, second = receiver.wait_for(2)
    assert first.webhook_id == second.webhook_id and first.body == second.body
    stock = openai.OpenAI(api_key="unused", webhook_secret=SECRET)
    event = stock.webhooks.unwrap(second.body, second.headers)
    assert isinstance(event, RESPONSE_EVENTS) and event.data.id == response_id
    stats = wait_for_stats(background_api, response_id, webhook_deliveries=2)
    assert (stats["webhook_attempts"], stats["webhook_deliveries"]) == (2, 2)


def test_late_delivers_after_the_scripted_delay(client: openai.OpenAI, receiver: Receiver) -> None:
    started = time.monotonic()
    response_id = create(client, queue_ms="0", run_ms="50", webhook_faults="late:400")
    (delivery,) = receiver.wait_for(1)
    assert delivery.at - started >= 0.45  # the job's 50 ms, then the 400 ms of lateness
    assert client.responses.retrieve(response_id).status == "completed"


def test_a_foreground_job_sends_no_webhook(
    client: openai.OpenAI, background_api: str, receiver: Receiver
) -> None:
    client.responses.create(model="gpt-test", input="hi", metadata=script(run_ms="10"))
    response_id = create(client, run_ms="10")
    (delivery,) = receiver.wait_for(1)
    assert json.loads(delivery.body)["data"]["id"] == response_id
    time.sleep(0.2)
    assert len(receiver.deliveries) == 1


def test_a_stuck_receiver_does_not_stall_the_api(client: openai.OpenAI, receiver: Receiver) -> None:
    receiver.hold = threading.Event()
    try:
        first = create(client, run_ms="0", queue_ms="0")
        receiver.wait_for(1)  # the receiver now holds that delivery open
        second = create(client, run_ms="0", queue_ms="0")
        quick = client.with_options(timeout=3.0, max_retries=0)
        assert quick.responses.retrieve(first).status == "completed"
        assert quick.responses.retrieve(second).status == "completed"
    finally:
        receiver.hold.set()
    assert {json.loads(delivery.body)["data"]["id"] for delivery in receiver.wait_for(2)} == {first, second}


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("twice", "duplicate and late:<ms>"),
        ("late", "duplicate and late:<ms>"),
        ("duplicate,duplicate", "given twice"),
    ],
)
def test_malformed_webhook_faults_get_a_400_naming_the_key(
    client: openai.OpenAI, value: str, complaint: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        create(client, webhook_faults=value)
    assert raised.value.param == "metadata.emulator.webhook_faults"
    assert complaint in raised.value.message


def test_serve_checks_the_webhook_settings() -> None:
    with (
        pytest.raises(ValueError, match="give both or neither"),
        serve(webhook_url="http://127.0.0.1:9/hooks"),
    ):
        pass
    with (
        pytest.raises(ValueError, match="whsec_"),
        serve(webhook_url="http://127.0.0.1:9/h", webhook_secret="x"),
    ):
        pass
    with pytest.raises(ValueError, match="http"), serve(webhook_url="ftp://h/", webhook_secret=SECRET):
        pass


def test_serve_delivers_and_stops_its_webhook_threads(caplog: pytest.LogCaptureFixture) -> None:
    def sender_threads() -> list[threading.Thread]:
        return [thread for thread in threading.enumerate() if thread.name.startswith("emulator-webhooks:")]

    before = sender_threads()
    with receiving() as receiver, serve(webhook_url=receiver.url, webhook_secret=SECRET) as base_url:
        body = {"model": "gpt-test", "input": "hi", "background": True, "metadata": script(run_ms="0")}
        response_id = httpx2.post(f"{base_url}/responses", json=body).json()["id"]
        assert json.loads(receiver.wait_for(1)[0].body)["data"]["id"] == response_id
        # One more, due long after the server stops: dropped at shutdown, and said so.
        body["metadata"] = script(webhook_faults="late:60000")
        httpx2.post(f"{base_url}/responses", json=body).raise_for_status()
        assert len(sender_threads()) > len(before)
        caplog.set_level(logging.WARNING, "openai_background_errors.emulator.webhooks")
    assert sender_threads() == before
    assert "1 webhook deliveries still queued" in caplog.text


def test_the_command_line_takes_a_webhook_url_and_secret() -> None:
    with receiving() as receiver:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openai_background_errors.emulator",
                "--webhook-url",
                receiver.url,
                "--webhook-secret",
                SECRET,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            body = {"model": "gpt-test", "input": "hi", "background": True, "metadata": script(run_ms="0")}
            response_id = httpx2.post(f"{base_url}/responses", json=body).json()["id"]
            (delivery,) = receiver.wait_for(1)
            assert verified_by_hand(delivery, SECRET)
            assert json.loads(delivery.body)["data"]["id"] == response_id
            process.terminate()
            process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 0


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["--webhook-url", "http://127.0.0.1:9/"], "give both or neither"),
        (["--webhook-url", "http://127.0.0.1:9/", "--webhook-secret", "whsec_***"], "base64"),
    ],
)
def test_the_command_line_refuses_bad_webhook_settings(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert complaint in capsys.readouterr().err
