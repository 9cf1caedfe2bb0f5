"""The in-band ``error`` stream event of a failed job, in either of the two shapes clients meet.

The API reference and the SDK's ``ResponseErrorEvent`` document a *flat* event::

    {"type": "error", "code": ..., "message": ..., "param": null, "sequence_number": N}

while the live API sends a *nested* one, the API's error object under ``error``::

    {"type": "error", "sequence_number": N,
     "error": {"type": ..., "code": ..., "message": ..., "param": null}}

(captures in openai-dotnet #881, #849 and #528, vercel/ai #20022, zendev-sh/goai #88). A job's
script picks the shape (``emulator.error_event``), so a client can be tested against both.
"""

from __future__ import annotations

from typing import Literal

from .wire import Json, error_message

__all__ = ["NULL_CODE_TYPE", "RATE_LIMIT_HEADERS", "SHAPES", "ErrorEventShape", "error_event", "nested_type"]

ErrorEventShape = Literal["flat", "nested"]
SHAPES: tuple[ErrorEventShape, ...] = ("flat", "nested")

NULL_CODE_TYPE = "service_unavailable_error"
"""The nested ``type`` of a failure without a code (vercel/ai #20022)."""
_NESTED_TYPES: dict[str, str] = {
    "rate_limit_exceeded": "tokens",  # zendev-sh/goai #88
    "context_length_exceeded": "invalid_request_error",  # openai-dotnet #849
}
"""The nested object's ``type`` where a capture shows one other than the code itself."""

RATE_LIMIT_HEADERS = {
    "x-ratelimit-limit-requests": "500",
    "x-ratelimit-limit-tokens": "30000",
    "x-ratelimit-remaining-requests": "499",
    "x-ratelimit-remaining-tokens": "0",
    "x-ratelimit-reset-requests": "120ms",
    "x-ratelimit-reset-tokens": "6s",
}
"""The rate-limit headers a nested ``rate_limit_exceeded`` carries as an object (zendev-sh/goai #88)."""


def nested_type(code: str | None) -> str:
    """The nested error object's ``type`` for ``code``.

    Where no capture says otherwise it is the code itself, as the captures of
    ``too_many_requests`` (openai-dotnet #881) and ``server_error`` (Soju06/codex-lb #429) show.
    """
    if code is None:
        return NULL_CODE_TYPE
    return _NESTED_TYPES.get(code, code)


def error_event(code: str | None, shape: ErrorEventShape) -> Json:
    """The ``error`` event for a failure with ``code``, without its ``sequence_number``."""
    message = error_message(code)
    if shape == "flat":
        return {"type": "error", "code": code, "message": message, "param": None}
    error: Json = {"type": nested_type(code), "code": code, "message": message, "param": None}
    if code == "rate_limit_exceeded":
        error["headers"] = dict(RATE_LIMIT_HEADERS)
    return {"type": "error", "error": error}
