"""Threads that first meet an SDK union type together get models, not dicts (pydantic 1's race).

See `openai_background_errors._pydantic1_threads` for the cause. The first test holds one thread
inside pydantic 1's preparation of a fresh root model, in the window where the half-built class
is already cached, and validates from a second thread: without the lock the second thread gets
the raw dict back. The second test is the whole symptom, from cold processes: many threads
sharing one client, each reading a background stream from the emulator.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pytest
from openai._models import BaseModel, validate_type

# Importing the package (here through its emulator) installs the lock.
from openai_background_errors.emulator import serve

from .lanes import PYDANTIC_V1

ROOT = Path(__file__).parent.parent
COLD_RUNS = 4


class _Cat(BaseModel):
    kind: Literal["cat"]
    name: str


class _Dog(BaseModel):
    kind: Literal["dog"]
    name: str


@pytest.mark.skipif(not PYDANTIC_V1, reason="pydantic 2 never builds openai's root models")
def test_a_thread_waits_for_the_root_model_another_is_building(monkeypatch: pytest.MonkeyPatch) -> None:
    model_field: Any = importlib.import_module("pydantic.fields").ModelField  # pydantic 1's
    analyse: Callable[..., Any] = model_field._type_analysis
    builder_inside = threading.Event()
    builder_may_finish = threading.Event()

    def held_type_analysis(field: Any) -> Any:
        if field.name == "__root__" and not builder_inside.is_set():
            builder_inside.set()
            assert builder_may_finish.wait(10)
        return analyse(field)

    monkeypatch.setattr(model_field, "_type_analysis", held_type_analysis)
    pet: Any = _Cat | _Dog  # a union no test has validated yet: its root model is built here
    value = {"kind": "dog", "name": "Rex"}
    results: dict[str, object] = {}
    builder = threading.Thread(target=lambda: results.update(builder=validate_type(type_=pet, value=value)))
    builder.start()
    assert builder_inside.wait(10)
    reader = threading.Thread(target=lambda: results.update(reader=validate_type(type_=pet, value=value)))
    reader.start()
    reader.join(0.5)  # without the lock the reader is done by now, holding a dict
    builder_may_finish.set()
    builder.join(10)
    reader.join(10)
    assert isinstance(results["reader"], _Dog), results["reader"]
    assert isinstance(results["builder"], _Dog)


def test_threads_sharing_a_client_from_a_cold_process_get_every_event_as_its_model() -> None:
    with serve() as base_url:
        for _ in range(COLD_RUNS):
            run = subprocess.run(
                [sys.executable, "-m", "tests.cold_threads", base_url, "package"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert run.returncode == 0, run.stdout + run.stderr
            assert "not_models=0 " in run.stdout
