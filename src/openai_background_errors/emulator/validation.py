"""Request bodies judged by the installed SDK's own request types, refused as the API refuses them.

The SDK declares every body it sends as a ``TypedDict`` (``ResponseCreateParams``, a union of
its streaming and non-streaming shapes; ``InputTokenCountParams``; ``ResponseCompactParams``).
With pydantic 2 a body is validated against that type, strictly, with unknown keys refused at
every depth, so the emulator knows each parameter the installed release knows and no other.
Iterables (``tools``) are checked item by item, and a union of objects told apart by a literal
``type`` (the tools, for one) is judged by that key, as the API does: ``tools[0].type`` is the
culprit, not every field of every tool. pydantic 1 has no ``TypeAdapter``: there only the
top-level keys are judged (unknown ones refused, required ones demanded).

The first problem found becomes a `RequestRefused` worded as the API words it (see
docs/emulator.md for each message and its public source).
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast, get_args

import pydantic

__all__ = ["COMPACT", "CREATE", "INPUT_TOKENS", "RequestRefused", "judge", "judge_create"]

CREATE = ("response_create_params", "ResponseCreateParams")
INPUT_TOKENS = ("input_token_count_params", "InputTokenCountParams")
COMPACT = ("response_compact_params", "ResponseCompactParams")
"""Where the installed SDK declares each request body: a module of ``openai.types.responses``."""

_PYDANTIC_2 = not pydantic.VERSION.startswith("1.")

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a decimal",
    "bool_type": "a boolean",
    "dict_type": "an object",
    "list_type": "an array",
    "none_required": "null",
}
"""What a pydantic type error expected, in the API's words (``Invalid type for 'x': expected ...``)."""


RANGES: dict[str, tuple[str, float, float]] = {
    "temperature": ("decimal", 0, 2),
    "top_p": ("decimal", 0, 1),
    "top_logprobs": ("integer", 0, 20),
}
"""Bounds the SDK states only in its docstrings ("between 0 and 2"), so its types cannot check them."""


class RequestRefused(Exception):
    """A body the API would answer with 400: ``message``, ``param`` (a path) and ``code``."""

    def __init__(self, message: str, param: str | None, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


def judge(where: tuple[str, str], body: Mapping[str, Any]) -> None:
    """Raise `RequestRefused` for the first thing the SDK's type ``where`` refuses in ``body``.

    A type the installed SDK does not declare judges nothing (older releases lack some).
    """
    declared = _declared(where)
    if declared is None:
        return
    if _PYDANTIC_2:
        _judge_deeply(declared, body)
    else:
        _judge_top_level(declared, body)


def judge_create(body: Mapping[str, Any]) -> None:
    """`judge` a create request, then what its types cannot say: bounds and rules across fields."""
    judge(CREATE, body)
    for name, (number, low, high) in RANGES.items():
        value = body.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not low <= value <= high:
            raise _out_of_range(name, number, value, low, high)
    if body.get("model") is None and body.get("prompt") is None:
        # The SDK leaves `model` optional because a stored prompt can name one; without a prompt
        # the API demands it.
        raise _missing("model")
    if body.get("background") is True and body.get("store") is False:
        raise RequestRefused(
            "Background mode requires 'store' to be true: a background response must be stored.",
            "background",
            "invalid_value",
        )


def _out_of_range(name: str, number: str, value: float, low: float, high: float) -> RequestRefused:
    if value > high:
        side, sign, bound, code = "above maximum", "<=", high, f"{number}_above_max_value"
    else:
        side, sign, bound, code = "below minimum", ">=", low, f"{number}_below_min_value"
    return RequestRefused(
        f"Invalid '{name}': {number} {side} value. Expected a value {sign} {bound:g}, but got {value:g} instead.",
        name,
        code,
    )


def _declared(where: tuple[str, str]) -> object | None:
    module_name, name = where
    try:
        module = importlib.import_module(f"openai.types.responses.{module_name}")
    except ImportError:
        return None
    return getattr(module, name, None)


def _members(declared: object) -> tuple[Any, ...]:
    """The TypedDicts of a union (or the one TypedDict)."""
    return get_args(declared) or (declared,)


# -- pydantic 1: the top-level keys only -------------------------------------------------------


def _judge_top_level(declared: object, body: Mapping[str, Any]) -> None:
    members = _members(declared)
    known = {key for member in members for key in member.__annotations__}
    for key in body:
        if key not in known:
            raise _unknown(key)
    # The member the body means (streaming or not) is the one whose required keys it has most of.
    required = [frozenset(cast("frozenset[str]", member.__required_keys__)) for member in members]
    missing = min((sorted(keys - body.keys()) for keys in required), key=len)
    if missing:
        raise _missing(missing[0])


# -- pydantic 2: the whole body, strictly ------------------------------------------------------


def _judge_deeply(declared: object, body: Mapping[str, Any]) -> None:
    from pydantic_core import ValidationError

    members = _members(declared)
    failures: list[list[Any]] = []
    for member in members:
        try:
            _validator(member)(dict(body))
        except ValidationError as exc:
            failures.append(cast("list[Any]", exc.errors()))
        else:
            return
    # The member the body was meant for is the one it misses least (streaming or not).
    raise _refusal(min(failures, key=len), body)


@functools.cache
def _validator(member: Any) -> Callable[[object], object]:
    """A strict validator of ``member`` that refuses unknown keys and reads iterables eagerly."""
    from pydantic import TypeAdapter
    from pydantic_core import SchemaValidator

    schema = copy.deepcopy(cast("dict[str, Any]", TypeAdapter(member).core_schema))
    definitions = _definitions(schema)
    _tighten(schema, definitions)
    validator = SchemaValidator(cast(Any, schema))
    return functools.partial(validator.validate_python, strict=True)


def _definitions(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def visit(node: object) -> None:
        if isinstance(node, dict):
            fields = cast("dict[str, Any]", node)
            if "ref" in fields and "type" in fields:
                found[fields["ref"]] = fields
            for value in fields.values():
                visit(value)
        elif isinstance(node, list):
            for value in cast("list[object]", node):
                visit(value)

    visit(schema)
    return found


def _tighten(node: object, definitions: dict[str, dict[str, Any]]) -> None:
    """Refuse unknown keys, validate iterables as lists, let required-but-nullable fields be left
    out, and tag unions of typed objects."""
    if isinstance(node, list):
        for value in cast("list[object]", node):
            _tighten(value, definitions)
        return
    if not isinstance(node, dict):
        return
    schema = cast("dict[str, Any]", node)
    kind = schema.get("type")
    if kind == "typed-dict":
        schema["extra_behavior"] = "forbid"
        for field in cast("dict[str, dict[str, Any]]", schema.get("fields", {})).values():
            # A field the SDK requires but lets be null may be left out: the API takes it as
            # null (a function tool without `strict`, as langchain-openai sends it).
            if _resolve(field["schema"], definitions).get("type") == "nullable":
                field["required"] = False
    elif kind == "generator":
        # An Iterable: pydantic would check it lazily, after the answer; the API checks it now.
        schema["type"] = "list"
    elif kind == "union":
        tags = _tags(schema["choices"], definitions)
        if tags is not None:
            schema.clear()
            schema.update({"type": "tagged-union", "choices": tags, "discriminator": "type"})
    for value in list(schema.values()):
        _tighten(value, definitions)


def _tags(choices: list[Any], definitions: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """``{type value: choice}`` if every choice is an object with its own required literal ``type``."""
    tags: dict[str, Any] = {}
    for choice in choices:
        # A choice is a schema, or a (schema, label) pair.
        schema = cast("dict[str, Any]", choice[0] if isinstance(choice, tuple) else choice)
        target = _resolve(schema, definitions)
        field = target.get("fields", {}).get("type") if target.get("type") == "typed-dict" else None
        if field is None or not field.get("required", True):
            return None
        literal = _resolve(field["schema"], definitions)
        if literal.get("type") != "literal":
            return None
        for value in literal["expected"]:
            if not isinstance(value, str) or value in tags:
                return None
            tags[value] = schema
    return tags or None


def _resolve(schema: dict[str, Any], definitions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    while schema.get("type") == "definition-ref" and schema["schema_ref"] in definitions:
        schema = definitions[schema["schema_ref"]]
    if schema.get("type") == "definitions":
        return _resolve(schema["schema"], definitions)
    return schema


def _refusal(errors: Sequence[Any], body: Mapping[str, Any]) -> RequestRefused:
    """The error the API would name, from pydantic's list for one member of the body's union."""
    # Where a union's alternatives all fail, the deepest complaint names the culprit best
    # (``input[0].bogus`` over "input is not a string"), and at one depth a value the caller
    # sent over a field an alternative they did not mean lacks; then pydantic's first.
    path, error = min(
        ((_path(error, body), error) for error in errors),
        key=lambda pair: (-len(pair[0]), pair[1]["type"] == "missing"),
    )
    param = _param(path)
    kind: str = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return _unknown(param)
    if kind == "missing":
        return _missing(param)
    if kind == "union_tag_not_found":
        return _missing(f"{param}.type")
    if kind == "union_tag_invalid":
        allowed = _allowed(error["ctx"]["expected_tags"])
        return _wrong_value(f"{param}.type", error["ctx"]["tag"], allowed)
    if kind in ("literal_error", "enum"):
        allowed = _allowed(error["ctx"]["expected"])
        kinds = {_json_kind(each) for each in allowed}
        if len(kinds) == 1 and _json_kind(value) not in kinds:
            # `stream: "yes"` against `Literal[False]`: the wrong type, not the wrong value.
            return _wrong_type(param, kinds.pop(), value)
        return _wrong_value(param, value, allowed)
    if kind in _EXPECTED:
        return _wrong_type(param, _EXPECTED[kind], value)
    return RequestRefused(f"Invalid '{param}': {error['msg']}.", param, "invalid_value")


def _path(error: dict[str, Any], body: Mapping[str, Any]) -> list[str | int]:
    """The body's own path in pydantic's ``loc``: union members' labels are not keys of the body."""
    loc: tuple[str | int, ...] = error["loc"]
    path: list[str | int] = []
    here: object = body
    for position, step in enumerate(loc):
        last = position == len(loc) - 1
        if isinstance(here, list) and isinstance(step, int):
            path.append(step)
            here = cast("list[object]", here)[step]
        elif isinstance(here, dict) and isinstance(step, str):
            fields = cast("dict[str, object]", here)
            if step in fields:
                path.append(step)
                here = fields[step]
            elif last and error["type"] == "missing":
                path.append(step)
        # Anything else is a union member's label (a class name, a tag, `str`): not in the body.
    return path


def _param(path: list[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _allowed(expected: str) -> list[object]:
    """The values pydantic lists in its message (``'a', 'b' or 'c'``, reprs), as values."""
    try:
        values: object = ast.literal_eval(f"[{expected.replace(' or ', ', ')}]")
    except (ValueError, SyntaxError):
        return [expected]
    return cast("list[object]", values) if isinstance(values, list) else [expected]


def _wrong_value(param: str, value: object, allowed: list[object]) -> RequestRefused:
    shown = [_shown(each) for each in allowed]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])}, and {shown[-1]}"
    return RequestRefused(
        f"Invalid value: {_shown(value)}. Supported values are: {listed}.", param, "invalid_value"
    )


def _shown(value: object) -> str:
    """A value as the API quotes it: strings in single quotes, JSON literals as JSON."""
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value)


def _json_kind(value: object) -> str:
    """How the API names a JSON value's type in ``but got ... instead``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _wrong_type(param: str, expected: str, value: object) -> RequestRefused:
    return RequestRefused(
        f"Invalid type for '{param}': expected {expected}, but got {_json_kind(value)} instead.",
        param,
        "invalid_type",
    )


def _unknown(param: str) -> RequestRefused:
    return RequestRefused(f"Unknown parameter: '{param}'.", param, "unknown_parameter")


def _missing(param: str) -> RequestRefused:
    return RequestRefused(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
