"""Answers of ``POST /v1/responses/input_tokens`` and ``POST /v1/responses/compact``.

Nothing here tokenizes: the emulator runs no model. The count is a fixed rule, so tests can
rely on it: one token per 4 characters (rounded up) of every string in ``instructions`` and
``input``. A compaction is one ``compaction`` item whose opaque ``encrypted_content`` is the
compacted input, encoded; the SDK's `CompactedResponse` holds only assistant messages besides,
so the user messages the API lists before it are left out.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any, cast

from .wire import Json, new_id, usage

__all__ = ["CHARACTERS_PER_TOKEN", "compacted", "input_token_count"]

CHARACTERS_PER_TOKEN = 4


def input_token_count(body: Json) -> int:
    """The emulator's count for a request: ceil(characters of its text / 4)."""
    characters = sum(len(text) for text in _strings([body.get("instructions"), body.get("input")]))
    return math.ceil(characters / CHARACTERS_PER_TOKEN)


def compacted(body: Json, *, created_at: int) -> Json:
    """A ``response.compaction`` object for a compact request."""
    content = base64.b64encode(json.dumps(body.get("input"), sort_keys=True).encode()).decode()
    return {
        "id": new_id("cmp"),
        "object": "response.compaction",
        "created_at": created_at,
        "output": [{"id": new_id("cmp"), "type": "compaction", "encrypted_content": content}],
        "usage": usage(0),
    }


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in cast("dict[str, Any]", value).values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in cast("list[object]", value) for text in _strings(item)]
    return []
