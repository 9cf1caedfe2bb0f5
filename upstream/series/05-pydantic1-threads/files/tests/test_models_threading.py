import threading
from typing import Any, Union
from typing_extensions import Literal

import pytest

from openai._compat import PYDANTIC_V1
from openai._models import BaseModel, validate_type


class Cat(BaseModel):
    kind: Literal["cat"]
    name: str


class Dog(BaseModel):
    kind: Literal["dog"]
    name: str


@pytest.mark.skipif(not PYDANTIC_V1, reason="only Pydantic v1 validates unions through a generic root model")
def test_validate_type_waits_for_a_root_model_being_created(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic.fields import ModelField  # ty: ignore[missing-module-member]

    type_analysis = ModelField._type_analysis
    creating = threading.Event()
    resume = threading.Event()

    def paused_type_analysis(field: Any) -> Any:
        if field.name == "__root__" and not creating.is_set():
            creating.set()
            assert resume.wait(10)
        return type_analysis(field)

    monkeypatch.setattr(ModelField, "_type_analysis", paused_type_analysis)

    pet: Any = Union[Cat, Dog]
    value = {"kind": "dog", "name": "Rex"}
    results: "dict[str, object]" = {}

    creator = threading.Thread(target=lambda: results.update(creator=validate_type(type_=pet, value=value)))
    creator.start()
    assert creating.wait(10)

    # this thread asks for the root model while the first one is still creating it
    reader = threading.Thread(target=lambda: results.update(reader=validate_type(type_=pet, value=value)))
    reader.start()
    reader.join(0.5)

    resume.set()
    creator.join(10)
    reader.join(10)

    assert isinstance(results["creator"], Dog)
    assert isinstance(results["reader"], Dog)
