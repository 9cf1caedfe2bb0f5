"""JSON shapes the emulator puts on the wire, in the SDK's own format.

Plain dicts built here are what `Response.model_validate` and
``TypeAdapter(ResponseStreamEvent)`` of the ``openai`` SDK accept (for the
declared error codes and incomplete reasons; other strings are passed through
verbatim, as the real API does with codes the SDK does not know yet).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from typing import Any, cast

__all__ = [
    "ECHOED_FIELDS",
    "Json",
    "api_error",
    "content_part",
    "echoed_fields",
    "error_message",
    "message_item",
    "new_id",
    "response_body",
    "served_tier",
    "sse_frame",
    "text_deltas",
    "usage",
]

Json = dict[str, Any]

_WORD = re.compile(r"\s*\S+")

ECHOED_FIELDS: dict[str, object] = {
    "instructions": None,
    "max_output_tokens": None,
    "max_tool_calls": None,
    "parallel_tool_calls": True,
    "previous_response_id": None,
    "prompt_cache_key": None,
    "prompt_cache_retention": None,
    "reasoning": {"effort": None, "summary": None},
    "safety_identifier": None,
    "service_tier": "auto",
    "store": True,
    "temperature": 1.0,
    "text": {"format": {"type": "text"}, "verbosity": "medium"},
    "tool_choice": "auto",
    "tools": [],
    "top_logprobs": 0,
    "top_p": 1.0,
    "truncation": "disabled",
    "user": None,
}
"""Create parameters copied into every response body, with the value the API reports when the
request leaves one out (the OpenAPI spec's defaults and its ``Response`` example; recorded answers
in simonw/llm #839 and BerriAI/litellm #19899). ``reasoning`` and ``text`` are objects whose
members are filled in one by one."""

_SERVED_STATUSES = frozenset({"completed", "incomplete"})


def echoed_fields(request: Json) -> Json:
    """The `ECHOED_FIELDS` of a create request: what it set, and the API's default for the rest.

    A field sent as null counts as left out; an object field sent as an object keeps the
    defaults of the members it does not set.
    """
    echo: Json = {}
    for name, default in ECHOED_FIELDS.items():
        value = request.get(name)
        if value is None:
            value = default
        elif isinstance(default, dict) and isinstance(value, dict):
            value = {**cast("Json", default), **cast("Json", value)}
        echo[name] = copy.deepcopy(value)
    return echo


def served_tier(requested: object, status: str) -> object:
    """The ``service_tier`` a response reports: ``auto`` resolves to ``default`` once it was served.

    The spec: the body carries "the service_tier value based on the processing mode actually used
    to serve the request", and a project "will use 'default'" unless configured otherwise; while
    queued the API reports ``auto`` (BerriAI/litellm #19899).
    """
    return "default" if requested == "auto" and status in _SERVED_STATUSES else requested


def new_id(kind: str) -> str:
    """A fresh object id in the API's style: ``resp_emu_<24 hex>``, ``msg_emu_...``."""
    return f"{kind}_emu_{secrets.token_hex(12)}"


def api_error(message: str, *, type: str, param: str | None = None, code: str | None = None) -> Json:
    """The API's error envelope: ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def error_message(code: str | None) -> str:
    """A human-readable message for a scripted failure."""
    if code is None:
        return "The emulator failed this response without an error code."
    return f"The emulator failed this response with code {code!r}."


def text_deltas(text: str) -> list[str]:
    """``text`` cut into one delta per word, each with the whitespace before it; joined, they are ``text``.

    "Hello from the local emulator." gives "Hello", " from", " the", " local", " emulator.";
    trailing whitespace goes with the last word; text without a word is one delta, and "" none.
    """
    words = _WORD.findall(text)
    if not words:
        return [text] if text else []
    rest = text[sum(map(len, words)) :]
    return [*words[:-1], words[-1] + rest]


def content_part(text: str) -> Json:
    """An ``output_text`` content part."""
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def message_item(item_id: str, *, status: str, text: str | None) -> Json:
    """An assistant message output item; ``text=None`` gives it no content yet."""
    content = [] if text is None else [content_part(text)]
    return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": content}


def usage(output_tokens: int) -> Json:
    """A small, consistent ``usage`` object."""
    return {
        "input_tokens": 8,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 8 + output_tokens,
    }


def response_body(
    *,
    response_id: str,
    created_at: int,
    model: str,
    background: bool,
    metadata: dict[str, str],
    echo: Json,
    status: str,
    output: list[Json] | None = None,
    error: Json | None = None,
    incomplete_reason: str | None = None,
    incomplete: bool = False,
    completed_at: int | None = None,
    usage: Json | None = None,
) -> Json:
    """A ``Response`` object as ``GET /v1/responses/{id}`` returns it."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": background,
        "model": model,
        "metadata": metadata,
        "output": output or [],
        "error": error,
        "incomplete_details": {"reason": incomplete_reason} if incomplete else None,
        "completed_at": completed_at,
        "usage": usage,
        **echo,
        "service_tier": served_tier(echo.get("service_tier"), status),
    }


def sse_frame(event: Json) -> bytes:
    """One server-sent event: ``event: <type>`` and ``data: <json>``."""
    return f"event: {event['type']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()
