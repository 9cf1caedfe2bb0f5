"""Stopping the emulator while clients hold live streams, idle connections and waiting requests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing

import httpx2
import pytest

from openai_background_errors.emulator import serve

from .conftest import script

STARTS = 30
LONG_JOB = script(queue_ms="0", run_ms="60000")


def _open_stream(clients: ExitStack, base_url: str) -> Iterator[str]:
    """A live stream (on a connection of its own) of a job that runs for a minute, its first event read."""
    client = httpx2.Client()
    clients.callback(client.close)
    body = {"model": "gpt-test", "input": "hi", "background": True, "stream": True, "metadata": LONG_JOB}
    answer: httpx2.Response = clients.enter_context(client.stream("POST", f"{base_url}/responses", json=body))
    lines = answer.iter_lines()
    assert next(lines).startswith("event: response.created")
    return lines


def _post(client: httpx2.Client, url: str, body: dict[str, object]) -> httpx2.Response:
    return client.post(url, json=body)


def test_stops_promptly_and_quietly_with_streams_and_idle_connections_open(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every start and stop: a stream being read, a stream never read and an idle keep-alive
    connection are open; the stop cuts both streams, leaves no thread and logs nothing."""
    caplog.set_level(logging.INFO)
    threads_before = set(threading.enumerate())
    for _ in range(STARTS):
        with ExitStack() as clients:
            idle = httpx2.Client()
            clients.callback(idle.close)
            with serve() as base_url:
                assert idle.get(f"{base_url}/emulator/responses").status_code == 200
                read = _open_stream(clients, base_url)
                _open_stream(clients, base_url)
            # The stream ends with the server: cut, so it never looks complete.
            with pytest.raises(httpx2.RemoteProtocolError):
                list(read)
    assert set(threading.enumerate()) - threads_before == set()
    loud = [
        f"{r.name} {r.levelname}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING
    ]
    assert loud == []
    # uvicorn logged its stops at INFO, and never had to wait for a connection.
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("Shutting down") == STARTS
    assert not any(message.startswith("Waiting for") for message in messages)


def test_a_request_waiting_for_its_answer_at_stop_gets_a_503(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    # A foreground create: answered only when its job ends, a minute from now.
    body: dict[str, object] = {"model": "gpt-test", "input": "hi", "metadata": LONG_JOB}
    client = httpx2.Client(timeout=30)
    with ThreadPoolExecutor(1) as pool, closing(client):
        with serve() as base_url:
            waiting = pool.submit(_post, client, f"{base_url}/responses", body)
            while not client.get(f"{base_url}/emulator/responses").json()["data"]:
                pass
        answer = waiting.result()
    assert answer.status_code == 503
    assert answer.json()["error"]["message"] == "The emulator is shutting down."
    assert caplog.records == []
