"""Starting and stopping the emulator: ``serve()``, the command line and the fixture."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx2
import openai

from openai_background_errors.emulator import serve

from .conftest import script


def emulator_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("emulator:")]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_serve_yields_a_working_base_url_and_frees_port_and_thread() -> None:
    before = emulator_threads()
    with serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        port = int(base_url.rsplit(":", 1)[1].removesuffix("/v1"))
        assert not port_is_free(port)
        assert f"emulator:{port}" in emulator_threads()
        with openai.OpenAI(base_url=base_url, api_key="emulator-key") as client:
            raw = client.responses.with_raw_response.create(
                model="gpt-test", input="hi", background=True, metadata=script()
            )
            assert raw.headers["x-request-id"] == "req_emu_1"
            assert raw.parse().status == "queued"
    assert emulator_threads() == before
    assert port_is_free(port)


def test_serve_on_a_given_port_and_separate_state() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    with serve(port=port) as first, serve() as second:
        assert first == f"http://127.0.0.1:{port}/v1"
        body = {"model": "gpt-test", "input": "hi", "background": True, "metadata": script()}
        response_id = httpx2.post(f"{first}/responses", json=body).json()["id"]
        assert httpx2.get(f"{first}/responses/{response_id}").status_code == 200
        assert httpx2.get(f"{second}/responses/{response_id}").status_code == 404
    assert port_is_free(port)


def test_command_line_prints_the_url_and_stops_on_sigint() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_background_errors.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        base_url = line.strip()
        assert line == base_url + "\n"
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        answer = httpx2.get(f"{base_url}/responses/resp_missing")
        assert answer.status_code == 404
        assert answer.headers["x-request-id"] == "req_emu_1"
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        stdout, stderr = process.communicate(timeout=10)
        assert time.monotonic() - started < 5
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert stdout == ""
    assert "Traceback" not in stderr


def test_the_background_api_fixture(background_api: str) -> None:
    assert background_api.startswith("http://127.0.0.1:")
    assert background_api.endswith("/v1")
    with openai.OpenAI(base_url=background_api, api_key="emulator-key") as client:
        raw = client.responses.with_raw_response.create(
            model="gpt-test",
            input="hi",
            background=True,
            metadata=script(outcome="failed:server_error", queue_ms="0", run_ms="0"),
        )
        assert raw.headers["x-request-id"] == "req_emu_1"
        created = raw.parse()
        response = client.responses.retrieve(created.id)
    assert response.status == "failed"
    assert response.error is not None
    assert response.error.code == "server_error"
    answer = httpx2.get(background_api.replace("/v1", "/v1/unknown-route"))
    assert answer.status_code == 404
    assert set(answer.json()["error"]) == {"message", "type", "param", "code"}
