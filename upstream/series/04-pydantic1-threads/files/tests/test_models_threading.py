import sys
import pickle
import importlib
import threading
from typing import Any, Dict, List, Union, Callable, Iterator
from pathlib import Path
from typing_extensions import Literal

import pytest

from openai import _models
from openai._compat import PYDANTIC_V1
from openai._models import BaseModel, validate_type, construct_type
from openai.pagination import SyncCursorPage


class Cat(BaseModel):
    kind: Literal["cat"]
    name: str


class Dog(BaseModel):
    kind: Literal["dog"]
    name: str


def validate_union(value: Dict[str, str]) -> object:
    pet: Any = Union[Cat, Dog]
    return validate_type(type_=pet, value=value)


def construct_page(value: Dict[str, str]) -> object:
    page: Any = construct_type(type_=SyncCursorPage[Dog], value={"data": [value]})
    return page.data[0]


def pause_union() -> "tuple[Any, str, Callable[[Any], bool]]":
    # the root model's field, typed but without validators yet
    from pydantic.fields import ModelField  # ty: ignore[missing-module-member]

    return ModelField, "_type_analysis", lambda field: field.name == "__root__"


def pause_page() -> "tuple[Any, str, Callable[[Any], bool]]":
    # the page's fields before they are prepared (its generic bases are prepared first)
    import pydantic.generics

    return pydantic.generics, "_prepare_model_fields", lambda model: model.__name__.startswith("SyncCursorPage")


@pytest.mark.skipif(not PYDANTIC_V1, reason="only Pydantic v1 caches a generic model before preparing it")
@pytest.mark.parametrize(("build", "pause"), [(validate_union, pause_union), (construct_page, pause_page)])
def test_parametrizing_waits_for_a_model_being_created(
    monkeypatch: pytest.MonkeyPatch,
    build: Callable[[Dict[str, str]], object],
    pause: "Callable[[], tuple[Any, str, Callable[[Any], bool]]]",
) -> None:
    owner, name, should_pause = pause()
    original = getattr(owner, name)
    creating = threading.Event()
    resume = threading.Event()

    def paused(first: Any, *args: Any) -> Any:
        if should_pause(first) and not creating.is_set():
            creating.set()
            assert resume.wait(10)
        return original(first, *args)

    monkeypatch.setattr(owner, name, paused)

    value = {"kind": "dog", "name": "Rex"}
    results: "dict[str, object]" = {}

    creator = threading.Thread(target=lambda: results.update(creator=build(value)))
    creator.start()
    assert creating.wait(10)

    # this thread asks for the same model while the first one is still creating it
    reader = threading.Thread(target=lambda: results.update(reader=build(value)))
    reader.start()
    reader.join(0.5)

    resume.set()
    creator.join(10)
    reader.join(10)

    assert isinstance(results["creator"], Dog)
    assert isinstance(results["reader"], Dog)


@pytest.fixture
def import_module_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], Any]]:
    """Write a module and import it; it is forgotten after the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    imported: List[str] = []

    def write_and_import(name: str, source: str) -> Any:
        (tmp_path / f"{name}.py").write_text(source)
        imported.append(name)
        return importlib.import_module(name)

    yield write_and_import
    for name in imported:
        sys.modules.pop(name, None)


@pytest.mark.skipif(not PYDANTIC_V1, reason="only Pydantic v1 binds a parametrized model in its caller's module")
def test_a_model_parametrized_at_module_level_belongs_to_that_module(
    import_module_source: Callable[[str, str], Any],
) -> None:
    kennel = import_module_source(
        "kennel",
        "from openai._models import BaseModel\n"
        "from openai.pagination import SyncCursorPage\n\n\n"
        "class Puppy(BaseModel):\n    name: str\n\n\n"
        "PuppyPage = SyncCursorPage[Puppy]\n",
    )

    assert kennel.PuppyPage.__module__ == "kennel"
    page = kennel.PuppyPage(data=[kennel.Puppy(name="Rex")], has_more=False)
    assert pickle.loads(pickle.dumps(page)) == page


@pytest.mark.skipif(not PYDANTIC_V1, reason="only Pydantic v1 binds a parametrized model in its caller's module")
def test_a_model_asked_for_again_is_left_as_it_was_created(import_module_source: Callable[[str, str], Any]) -> None:
    shelter = import_module_source(
        "shelter",
        "from typing import Union\n"
        "from typing_extensions import Literal\n"
        "from openai._models import BaseModel, RootModel, validate_type\n\n\n"
        "class Hamster(BaseModel):\n    kind: Literal['hamster']\n\n\n"
        "class Rabbit(BaseModel):\n    kind: Literal['rabbit']\n\n\n"
        "# the SDK creates the root model for the union\n"
        "validate_type(type_=Union[Hamster, Rabbit], value={'kind': 'hamster'})\n"
        "# and this asks for the same one at the module's top level\n"
        "Pets = RootModel[Union[Hamster, Rabbit]]\n",
    )

    assert shelter.Pets.__module__ == "openai._models"
    assert [name for name, value in vars(shelter).items() if value is shelter.Pets] == ["Pets"]


@pytest.mark.skipif(not PYDANTIC_V1, reason="only Pydantic v1 binds a parametrized model in its caller's module")
def test_a_model_asked_for_with_its_own_type_variable_is_left_alone() -> None:
    root_model: Any = vars(_models)["RootModel"]  # defined under Pydantic v1 only

    assert root_model[_models._T] is root_model
    assert root_model.__module__ == "openai._models"
