"""A real Redis, the emulator and a Celery worker (prefork, 2 processes), for the whole session.

Redis is Debian's `redis-server` (`.ci/run` installs it when missing), started
here on a free port on 127.0.0.1 with persistence off and stopped at the end.
The worker runs `tests_taskqueue.tasks` in its own process and reaches the
emulator, served from this process, over TCP; the tests call it as any Celery
client would, with Celery's default JSON serializer.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import redis

from openai_background_errors.emulator import serve
from tests_taskqueue.tasks import app

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0
"""How long Redis and the worker may take to answer (a loaded 2-core CI machine)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server not found: install Debian's redis-server (apt-get install redis-server)")
    workdir = tmp_path_factory.mktemp("redis")
    port = _free_port()
    log = workdir / "redis.log"
    command = [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--dir", str(workdir), "--daemonize", "no"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"redis-server exited with {process.returncode}:\n{log.read_text()}")
            try:
                client.get("readiness probe")  # answers None once the server serves
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not answer within {START_SECONDS} s:\n{log.read_text()}")
                time.sleep(0.05)
        yield port
    finally:
        client.close()
        _stop(process)


@pytest.fixture(scope="session")
def redis_url(redis_port: int) -> str:
    return f"redis://127.0.0.1:{redis_port}/0"


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    with serve(host="127.0.0.1") as base_url:
        yield base_url


@pytest.fixture(scope="session")
def worker(redis_url: str, emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A Celery worker in its own process; yields its log file."""
    # This process is the caller: the same broker and result backend as the worker.
    app.conf.update(broker_url=redis_url, result_backend=redis_url)
    hostname = f"obe-taskqueue-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "OPENAI_BASE_URL": emulator_url,
        "OPENAI_API_KEY": "sk-emulator",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "celery", "-A", "tests_taskqueue.tasks", "worker"]
    command += ["--pool=prefork", "--concurrency=2", "--loglevel=INFO", f"--hostname={hostname}"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None:
                pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the worker did not answer within {START_SECONDS} s:\n{log.read_text()}")
        yield log
    finally:
        # SIGTERM: a warm shutdown, finishing the task at hand.
        _stop(process)
    assert process.returncode == 0, log.read_text()


class Jobs:
    """The emulator's jobs, read through its own endpoint (what the worker's requests created)."""

    def __init__(self, emulator_url: str) -> None:
        self._url = emulator_url.rstrip("/") + "/emulator/responses"
        self._seen = {job["id"] for job in self._all()}

    def _all(self) -> list[dict[str, Any]]:
        answer = httpx2.get(self._url, timeout=10)
        answer.raise_for_status()
        jobs: list[dict[str, Any]] = json.loads(answer.text)["data"]
        return jobs

    def new(self) -> list[dict[str, Any]]:
        """The jobs created since this object was made, in creation order."""
        return [job for job in self._all() if job["id"] not in self._seen]


@pytest.fixture
def jobs(emulator_url: str) -> Jobs:
    return Jobs(emulator_url)
