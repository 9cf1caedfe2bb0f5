"""Under pydantic 1, openai's first use of a union type from several threads at once gives dicts.

openai validates a value against a union (a stream event, a webhook event, an output item)
through a generic root model it parametrizes on first use, `RootModel[union]`. pydantic 1's
`GenericModel.__class_getitem__` publishes the new class in its cache before it has prepared
the class's fields, and pydantic will not fix that in 1.x (pydantic/pydantic#10351). A second
thread that takes the class from the cache in that window validates against a field with no
validators yet, which accepts the raw dict as it is: the caller gets a `dict` where the SDK
promises a model (`event.sequence_number` raises `AttributeError`; `webhooks.unwrap` returns
a dict, which is no `response.*` event). The stock client meets it too.

Importing this package serializes that parametrization with one lock, so a thread waits for
the class to be whole. The lock is taken only on this path, which pydantic 2 never takes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import openai._models

__all__ = ["make_root_models_thread_safe"]

_LOCKED = "__openai_background_errors_locked__"


def make_root_models_thread_safe() -> None:
    """Wrap openai's pydantic-1 root-model factory in a lock (once; a no-op under pydantic 2)."""
    factory: Callable[[Any], Any] | None = getattr(openai._models, "_create_pydantic_model", None)  # pyright: ignore[reportPrivateUsage]
    if factory is None or getattr(factory, _LOCKED, False):
        return
    lock = threading.Lock()

    @functools.wraps(factory)
    def locked(type_: Any) -> Any:
        with lock:
            return factory(type_)

    setattr(locked, _LOCKED, True)
    setattr(openai._models, "_create_pydantic_model", locked)  # noqa: B010
