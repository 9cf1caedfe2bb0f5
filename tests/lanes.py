"""Everything that differs between the compatibility lanes, in one module.

The lanes (sessions in noxfile.py) run the same test files against different
installs; this module reads which install it is on and adapts the fixtures:

- openai 3.x speaks httpx2. The tests' mock server (`tests.conftest.Server`)
  answers with `httpx2.Response`s through an `httpx2.MockTransport`.
- openai 2.x speaks httpx, and respx is the mock there: the same handler is
  routed through a respx router, its requests arrive as `httpx.Request`s (same
  attributes), and its `httpx2.Response`s are relayed as `httpx.Response`s whose
  body raises httpx's own error where the scripted one raises httpx2's.
- pydantic 1 (openai 3.x supports it): tests that need pydantic 2's API
  (`model_validate`, `TypeAdapter`) cannot run there; `NEEDS_PYDANTIC_2` names
  them and conftest skips them with that reason.
- Tests of what only newer SDKs declare (codes, reasons, models, the stock stream's
  error) are listed in `NEEDS_NEWEST_SDK` with a probe of the installed SDK; conftest
  skips them, with the reason, where the probe finds it missing.
- tests/consumers drives openai-agents, langchain-openai and pydantic-ai, which only the `consumers`
  lane installs (pinned); elsewhere it is not collected, and the header says so. That lane
  sets `OBE_CONSUMERS_REQUIRED=1`, so there a missing library fails collection instead.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, cast

import httpx
import httpx2
import openai
import pydantic
import respx

__all__ = [
    "LANE",
    "OPENAI_VERSION",
    "PYDANTIC_V1",
    "SDK_SPEAKS_HTTPX2",
    "mock_http_client",
    "skip_reason",
]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


OPENAI_VERSION = _version(openai.__version__)
PYDANTIC_V1 = pydantic.VERSION.startswith("1.")
SDK_SPEAKS_HTTPX2 = OPENAI_VERSION >= (3,)
LANE = f"openai {openai.__version__} on {'httpx2' if SDK_SPEAKS_HTTPX2 else 'httpx'}, pydantic {pydantic.VERSION}"
"""A one-line description of this install, printed in the test header."""

Handler = Callable[[httpx2.Request], httpx2.Response]


def mock_http_client(handler: Handler, *, is_async: bool) -> Any:
    """An HTTP client of the library the installed SDK speaks, answering every request with `handler`."""
    if SDK_SPEAKS_HTTPX2:
        transport = httpx2.MockTransport(handler)
        return httpx2.AsyncClient(transport=transport) if is_async else httpx2.Client(transport=transport)
    router = respx.MockRouter(assert_all_called=False)

    def answer(request: httpx.Request) -> httpx.Response:
        return _as_httpx(handler(cast(Any, request)))

    router.route().mock(side_effect=answer)
    if is_async:
        return httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    return httpx.Client(transport=httpx.MockTransport(router.handler))


def _as_httpx(answer: httpx2.Response) -> httpx.Response:
    return httpx.Response(
        answer.status_code, headers=answer.headers.multi_items(), stream=_Relay(answer.stream)
    )


def _as_httpx_error(error: httpx2.TransportError) -> httpx.TransportError:
    cls = getattr(httpx, type(error).__name__, httpx.TransportError)
    return cast(httpx.TransportError, cls(str(error)))


class _Relay(httpx.SyncByteStream, httpx.AsyncByteStream):
    """An httpx2 body read through httpx: the same chunks, and httpx's error for httpx2's."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from cast(httpx2.SyncByteStream, self._stream)
        except httpx2.TransportError as error:
            raise _as_httpx_error(error) from error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in cast(httpx2.AsyncByteStream, self._stream):
                yield chunk
        except httpx2.TransportError as error:
            raise _as_httpx_error(error) from error


def _has_misalignment() -> bool:
    from openai.types.responses import response_error

    return hasattr(response_error, "Misalignment")


def _declares_new_reasons() -> bool:
    from openai.types.responses import response

    source = inspect.getsource(response)
    return '"max_messages"' in source and '"steered"' in source


def _stock_stream_wraps_drops() -> bool:
    from openai import _streaming

    return "APIConnectionError" in inspect.getsource(_streaming)


def _counts_and_compacts() -> bool:
    from openai.resources.responses import responses

    return hasattr(responses.Responses, "input_tokens") and hasattr(responses.Responses, "compact")


# What the newest SDK has that older ones lack: (does this install have it?, what it is).
# Found in: Misalignment 3.57.0; the reasons 3.10.0 (not 3.5.0); wrapped drops 3.14.0; none in 2.54.0.
_MISALIGNMENT = (_has_misalignment(), "the misalignment_policy_violation code and the Misalignment model")
_REASONS = (_declares_new_reasons(), "the 'max_messages' and 'steered' incomplete reasons")
_STOCK_DROP = (_stock_stream_wraps_drops(), "APIConnectionError for a dropped stream in the stock SDK")
_COUNT_COMPACT = (_counts_and_compacts(), "responses.input_tokens.count and responses.compact")

# test node id prefix -> what the installed SDK must have for the test to apply
NEEDS_NEWEST_SDK: dict[str, tuple[bool, str]] = {
    "tests/test_errors.py::test_misalignment_is_the_sdks_model": _MISALIGNMENT,
    "tests/test_payloads.py::test_misalignment_body_carries_misalignment": _MISALIGNMENT,
    "tests/test_payloads.py::test_sdk_declares_the_codes_read_at_runtime": _MISALIGNMENT,
    "tests/test_payloads.py::test_no_unaccounted_response_files": _MISALIGNMENT,
    "tests/test_payloads.py::test_strict_body_validates[incomplete_max_messages]": _REASONS,
    "tests/test_payloads.py::test_strict_body_validates[incomplete_steered]": _REASONS,
    "tests/test_payloads.py::test_incomplete_reason[incomplete_max_messages": _REASONS,
    "tests/test_payloads.py::test_incomplete_reason[incomplete_steered": _REASONS,
    # These drive a stock client (not the project's) through the emulator's cut streams.
    "tests/emulator/test_streams.py::test_drop_stream_after_breaks_the_stream_then_resumes": _STOCK_DROP,
    "tests/emulator/test_streams.py::test_a_drop_after_the_terminal_event_still_breaks_the_stream": _STOCK_DROP,
    "tests/emulator/test_concurrency.py::test_concurrent_streams_are_independent": _STOCK_DROP,
    "tests/test_emulator_validation.py::test_input_tokens_": _COUNT_COMPACT,
    "tests/test_emulator_validation.py::test_compact_": _COUNT_COMPACT,
}

# test node id prefix -> why it needs pydantic 2
NEEDS_PYDANTIC_2: dict[str, str] = {
    "tests/test_streams.py::test_successful_stream_matches_the_stock_helper": "model_dump(warnings=...)",
    # With pydantic 1 the emulator judges only a body's top-level keys (emulator/validation.py).
    "tests/test_emulator_validation.py::test_the_sdks_types_judge_the_body_in_depth": "TypeAdapter",
    "tests/test_emulator_validation.py::test_an_unknown_tool_type_lists": "TypeAdapter",
}

# The consumer libraries tests/consumers imports (module names).
CONSUMER_LIBRARIES = ("agents", "langchain_openai", "pydantic_ai")

# Paths (relative to tests/) whose modules use pydantic 2's API at import time, so cannot even be
# collected on pydantic 1 -> why. Reported in the test header of that lane.
UNIMPORTABLE_ON_PYDANTIC_1: dict[str, str] = {
    "emulator": "validates bodies with pydantic.TypeAdapter",
    "test_payloads.py": "reads ResponseError.model_fields",
    "test_registry.py": "reads ResponseError.model_fields",
    "test_streams.py": "imports pydantic.TypeAdapter",
}


def not_collected() -> dict[str, str]:
    """Test paths this lane cannot import -> why."""
    paths = dict(UNIMPORTABLE_ON_PYDANTIC_1) if PYDANTIC_V1 else {}
    missing = [name for name in CONSUMER_LIBRARIES if importlib.util.find_spec(name) is None]
    if missing and os.environ.get("OBE_CONSUMERS_REQUIRED") != "1":
        paths["consumers"] = f"{', '.join(missing)} not installed; `nox -s consumers` runs them"
    return paths


def skip_reason(nodeid: str) -> str | None:
    """Why this lane cannot run the test `nodeid`, or None when it can."""
    for prefix, (present, what) in NEEDS_NEWEST_SDK.items():
        if nodeid.startswith(prefix) and not present:
            return f"openai {openai.__version__} lacks {what}"
    if PYDANTIC_V1:
        for prefix, why in NEEDS_PYDANTIC_2.items():
            if nodeid.startswith(prefix):
                return f"needs pydantic 2: {why}"
    return None
