"""The create request's ``input`` as the API lists it back: items with ids.

``GET /v1/responses/{id}/input_items`` answers with these. A string input is
one user message; a list keeps its items in order. Messages get the API's
full shape (``type``, ``status``, a list of content parts, an id); any other
item (a function call output, a reasoning item, ...) is kept as sent, with an
id added when it has none. Nothing is interpreted beyond that: the emulator
never reads what the input says.
"""

from __future__ import annotations

from typing import cast

from .wire import Json, content_part, new_id

__all__ = ["InputError", "input_items"]

_INPUT_ROLES = ("user", "system", "developer")


class InputError(ValueError):
    """An ``input`` the API would refuse; ``param`` names the culprit (``input[2].content``)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def input_items(value: object) -> list[Json]:
    """The items of a create request's ``input`` (None: no items)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [_message({"role": "user", "content": value}, "input")]
    if not isinstance(value, list):
        raise InputError("Invalid type for 'input': expected a string or an array of items.", "input")
    items: list[Json] = []
    for index, item in enumerate(cast("list[object]", value)):
        param = f"input[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"Invalid type for '{param}': expected an object.", param)
        fields = cast("Json", item)
        if fields.get("type", "message") == "message":
            items.append(_message(fields, param))
        elif isinstance(fields.get("type"), str):
            items.append({"id": new_id("item"), "status": "completed", **fields})
        else:
            raise InputError(f"Invalid type for '{param}.type': expected a string.", f"{param}.type")
    return items


def _message(fields: Json, param: str) -> Json:
    role = fields.get("role")
    if role not in (*_INPUT_ROLES, "assistant"):
        raise InputError(
            f"Invalid value for '{param}.role': expected one of user, system, developer, assistant.",
            f"{param}.role",
        )
    content = fields.get("content")
    if isinstance(content, str):
        parts = [content_part(content) if role == "assistant" else {"type": "input_text", "text": content}]
    elif isinstance(content, list) and all(isinstance(part, dict) for part in cast("list[object]", content)):
        parts = cast("list[Json]", content)
    else:
        raise InputError(
            f"Invalid type for '{param}.content': expected a string or an array of content parts.",
            f"{param}.content",
        )
    return {
        "id": fields.get("id") or new_id("msg"),
        "type": "message",
        "role": role,
        "status": "completed",
        "content": parts,
    }
