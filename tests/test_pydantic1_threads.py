"""Threads that first meet an SDK generic model together get models, not dicts (pydantic 1's race).

See `openai_background_errors._pydantic1_threads` for the cause. The first test holds one thread
inside pydantic 1's preparation of a fresh generic model (a union's root model, a page), in the
window where the half-built class is already cached, and builds the same from a second thread:
without the lock the second thread gets the raw dict back. The second test is the whole symptom, from cold processes: many threads
sharing one client, each reading a background stream from the emulator.
"""

from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, cast

import pytest
from openai._models import BaseModel, construct_type, validate_type
from openai.pagination import SyncCursorPage

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


def _validate_union(value: dict[str, str]) -> object:
    pet: Any = _Cat | _Dog  # a union no other test validates: its root model is built here
    return validate_type(type_=pet, value=value)


def _construct_page(value: dict[str, str]) -> object:
    page = construct_type(type_=SyncCursorPage[_Dog], value={"data": [value]})  # built here too
    return cast(Any, page).data[0]


def _hold_union_in_field_preparation() -> tuple[Any, str, Callable[[Any], bool]]:
    """The root model's field mid-preparation: typed already, no validators yet."""
    model_field = importlib.import_module("pydantic.fields").ModelField
    return model_field, "_type_analysis", lambda field: field.name == "__root__"


def _hold_page_before_field_preparation() -> tuple[Any, str, Callable[[Any], bool]]:
    """The page's fields before preparation: still pydantic's placeholder type."""
    # Its generic bases are parametrized (and prepared) first: hold the page class itself.
    generics = importlib.import_module("pydantic.generics")
    return generics, "_prepare_model_fields", lambda model: model.__name__.startswith("SyncCursorPage")


@pytest.mark.skipif(not PYDANTIC_V1, reason="pydantic 2 has no such window")
@pytest.mark.parametrize(
    ("build", "hold"),
    [
        (_validate_union, _hold_union_in_field_preparation),
        (_construct_page, _hold_page_before_field_preparation),
    ],
    ids=["union", "page"],
)
def test_a_thread_waits_for_the_generic_model_another_is_building(
    monkeypatch: pytest.MonkeyPatch,
    build: Callable[[dict[str, str]], object],
    hold: Callable[[], tuple[Any, str, Callable[[Any], bool]]],
) -> None:
    owner, name, holds = hold()
    original: Callable[..., Any] = getattr(owner, name)
    builder_inside = threading.Event()
    builder_may_finish = threading.Event()

    def held(first: Any, *rest: Any) -> Any:
        if holds(first) and not builder_inside.is_set():
            builder_inside.set()
            assert builder_may_finish.wait(10)
        return original(first, *rest)

    monkeypatch.setattr(owner, name, held)
    value = {"kind": "dog", "name": "Rex"}
    results: dict[str, object] = {}
    builder = threading.Thread(target=lambda: results.update(builder=build(value)))
    builder.start()
    assert builder_inside.wait(10)
    reader = threading.Thread(target=lambda: results.update(reader=build(value)))
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


def test_a_generic_model_asked_for_at_a_modules_top_level_belongs_to_that_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pydantic 1 reads the asking module off the calling frame, and binds the class there so that
    # its instances pickle: the lock's wrapper must not take that frame's place.
    (tmp_path / "kennel.py").write_text(
        "from openai._models import BaseModel\n"
        "from openai.pagination import SyncCursorPage\n\n\n"
        "class Puppy(BaseModel):\n    name: str\n\n\n"
        "PuppyPage = SyncCursorPage[Puppy]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))  # pyright: ignore[reportUnknownMemberType]
    kennel: Any = importlib.import_module("kennel")
    assert kennel.PuppyPage.__module__ == "kennel"
    page = kennel.PuppyPage(data=[kennel.Puppy(name="Rex")], has_more=False)
    assert pickle.loads(pickle.dumps(page)) == page
