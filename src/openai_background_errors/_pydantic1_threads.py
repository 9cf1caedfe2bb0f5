"""Under pydantic 1, openai's generic models parametrized from several threads at once give dicts.

openai parametrizes its generic models on first use: `RootModel[union]` to validate a value
against a union (a stream event, a webhook event, an output item), and pages such as
`SyncCursorPage[ResponseItem]`. pydantic 1's `GenericModel.__class_getitem__` publishes the new
class in its cache before it has prepared the class's fields, and pydantic will not fix that in
1.x (pydantic/pydantic#10351). A second thread that takes the class from the cache in that
window validates against fields with no validators yet, which accept the raw dict as it is: the
caller gets a `dict` where the SDK promises a model (`event.sequence_number` raises
`AttributeError`; `webhooks.unwrap` returns a dict, which is no `response.*` event). The stock
client meets it too.

Importing this package makes openai's `GenericModel[...]` one thread at a time, so a thread
waits for the class to be whole. A reentrant lock: parametrizing a model parametrizes its
generic bases. The wrapper's own frame is not let change which module a new class belongs to
(pydantic 1 reads it off the calling frame). Under pydantic 2, which has no such window,
nothing is changed.
"""

from __future__ import annotations

import inspect
import threading
from types import FrameType
from typing import Any

from openai._compat import PYDANTIC_V1
from openai._models import GenericModel

__all__ = ["make_generic_models_thread_safe"]


def make_generic_models_thread_safe() -> None:
    """Put openai's pydantic-1 `GenericModel.__class_getitem__` under a lock.

    Only pydantic's own is wrapped: once done, or if openai's `GenericModel` defines its own,
    the class has one in its `__dict__` and is left alone.
    """
    if not PYDANTIC_V1 or "__class_getitem__" in GenericModel.__dict__:
        return
    unlocked: Any = getattr(GenericModel.__class_getitem__, "__func__")  # noqa: B009  # the classmethod's function
    lock = threading.RLock()

    def locked(cls: Any, params: Any) -> Any:
        with lock:
            model = unlocked(cls, params)
        here = inspect.currentframe()
        if model.__module__ == __name__ and here is not None and here.f_back is not None:
            _belong_to_the_caller(model, here.f_back)
        return model

    setattr(GenericModel, "__class_getitem__", classmethod(locked))  # noqa: B010


def _belong_to_the_caller(model: type, caller: FrameType) -> None:
    """Undo what this wrapper's frame changed in a class pydantic 1 just created.

    pydantic 1 gives a new class the module of the frame that asked for it, and binds a class
    asked for at a module's top level in that module, so that its instances pickle. That frame
    is this wrapper's; the class belongs to the wrapper's caller, as it would unwrapped.
    """
    module_globals = caller.f_globals
    model.__module__ = module_globals.get("__name__", model.__module__)
    if caller.f_locals is module_globals:
        # pydantic 1's own rule: the class's name, or that name with `_`s appended while taken.
        name = model.__name__
        while module_globals.setdefault(name, model) is not model:
            name += "_"
