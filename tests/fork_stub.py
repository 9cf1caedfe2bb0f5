"""The fork's four base classes, put on a stock `openai` before this package is imported.

The upstream series adds `BackgroundResponseError` (an `OpenAIError` and a
`RuntimeError`, built as `BackgroundResponseError(message, *, response,
request_id)`) and its `...FailedError`, `...IncompleteError` and
`...CancelledError` subclasses to `openai`. These stand-ins have that shape;
their constructor counts its calls and, like the real one, reads the response.

`python -m tests.fork_stub` installs them, imports the package, exercises it
and prints what it saw as JSON, for tests/test_layering.py (a process of its
own, so the suite's classes stay the stock-based ones).
"""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import openai
from openai import OpenAIError

FAMILY = (
    "BackgroundResponseError",
    "BackgroundResponseFailedError",
    "BackgroundResponseIncompleteError",
    "BackgroundResponseCancelledError",
)

constructor_calls = 0


class BackgroundResponseError(OpenAIError, RuntimeError):
    retryable: bool

    def __init__(self, message: str, *, response: Any, request_id: str | None) -> None:
        global constructor_calls  # noqa: PLW0603
        constructor_calls += 1
        super().__init__(message)
        self.message = message
        self.response = response
        self.response_id = response.id
        self.code = getattr(response.error, "code", None)
        self.param = getattr(response.error, "param", None)
        self.request_id = request_id
        self.retryable = self.code in ("server_error", "rate_limit_exceeded", "vector_store_timeout")


class BackgroundResponseFailedError(BackgroundResponseError):
    pass


class BackgroundResponseIncompleteError(BackgroundResponseError):
    pass


class BackgroundResponseCancelledError(BackgroundResponseError):
    pass


def install() -> None:
    for name in FAMILY:
        cls = globals()[name]
        cls.__module__ = "openai"
        setattr(openai, name, cls)


def _fields(error: BaseException) -> dict[str, object]:
    names = ("code", "message", "param", "request_id", "response_id", "status", "retryable")
    fields: dict[str, object] = {name: getattr(error, name) for name in names}
    return {**fields, "str": str(error), "class": type(error).__name__}


def main() -> None:
    install()
    import openai_background_errors as obe  # noqa: I001  # only now, with the stand-ins in place

    from tests.conftest import parsed_response

    openai_family_base: type[Exception] = getattr(openai, "BackgroundResponseError")  # noqa: B009  # the stand-in
    seen: dict[str, Any] = {"mro": {}, "caught": {}}
    for name in obe.errors.__all__:
        cls = getattr(obe, name)
        seen["mro"][name] = [f"{base.__module__}.{base.__qualname__}" for base in cls.__mro__]
    for payload in (
        "failed_server_error",
        "failed_unknown_future_code",
        "incomplete_max_output_tokens",
        "cancelled",
    ):
        response = parsed_response(payload)
        try:
            obe.raise_for_status(response, incomplete=True, cancelled=True)
        except openai_family_base as error:
            # What each `except openai.<name>` would catch, and what the package's own would.
            seen["caught"][payload] = {
                "by_openai": [name for name in FAMILY if isinstance(error, getattr(openai, name))],
                "by_package": [name for name in FAMILY if isinstance(error, getattr(obe, name))],
                "fields": _fields(error),
                "pickled": _fields(pickle.loads(pickle.dumps(error))),
                "copied": _fields(copy.copy(error)),
                "json": _fields(type(error)(*json.loads(json.dumps(error.args)))),
            }
    # A stream `error` event alone: no response, which openai's constructor could not take.
    event_error = obe.BackgroundResponseFailedError("boom", code="server_error", sequence_number=3)
    seen["without_response"] = _fields(event_error)
    seen["openai_constructor_calls"] = constructor_calls
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
