"""What an in-band `error` stream event says, in each shape it arrives in.

The API reference and the SDK's `ResponseErrorEvent` put `code`, `message` and
`param` at the top of the event (the flat shape). The live API nests them, with
the error's `type` and whatever else it reports (such as rate-limit `headers`),
in an `error` object (the nested shape)::

    {"type": "error", "code": "server_error", "message": "...", "param": null, "sequence_number": 2}
    {"type": "error", "sequence_number": 2,
     "error": {"type": "too_many_requests", "code": "too_many_requests", "message": "...", "param": null}}

The SDK's `Stream` raises a plain `APIError` for any event whose `error` key is
set, before the event reaches this package: its `body` is the nested object, and
the rest of the event (its `sequence_number`) is only in the server-sent event the
SDK had just read. `error_event_from` turns that `APIError` back into the event it
was raised for, so both shapes and the SDK's error are read by `read_error_event`
alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from openai import APIError

if TYPE_CHECKING:
    import httpx2
    from openai.types.responses import ResponseStreamEvent

__all__ = ["InBandError", "error_event_from", "read_error_event"]

_NAMED_FIELDS = ("type", "code", "message", "param")
"""The nested object's keys that have fields of their own; any other key is kept in `details`."""


@dataclass(frozen=True)
class InBandError:
    """An in-band `error` event's fields, as sent (lenient parsing keeps any JSON value)."""

    code: Any = None
    message: Any = None
    param: Any = None
    error_type: Any = None
    """The nested object's `type` (`too_many_requests`, `tokens`, ...); None in the flat shape."""
    details: dict[str, object] = field(default_factory=lambda: {})
    """Every other key the error carried (`headers`, ...); empty when there was none."""
    sequence_number: int | None = None


def read_error_event(event: object) -> InBandError:
    """The fields of an `error` event, nested or flat."""
    number: object = getattr(event, "sequence_number", None)
    sequence_number = number if isinstance(number, int) and not isinstance(number, bool) else None
    nested: object = getattr(event, "error", None)
    if isinstance(nested, Mapping):
        inner = cast(Mapping[str, object], nested)
        return InBandError(
            code=inner.get("code"),
            message=inner.get("message"),
            param=inner.get("param"),
            error_type=inner.get("type"),
            details={key: value for key, value in inner.items() if key not in _NAMED_FIELDS},
            sequence_number=sequence_number,
        )
    # The flat shape. An `error` key that is not an object is kept as sent, with any other
    # undeclared key of the event.
    details = dict(_undeclared(event))
    return InBandError(
        code=getattr(event, "code", None),
        message=getattr(event, "message", None),
        param=getattr(event, "param", None),
        details=details,
        sequence_number=sequence_number,
    )


def _undeclared(event: object) -> Mapping[str, object]:
    """The keys of an event that its model does not declare (the SDK's models keep them)."""
    extra: object = getattr(event, "model_extra", None)  # pydantic 2
    if isinstance(extra, Mapping):
        return cast(Mapping[str, object], extra)
    # pydantic 1 keeps them in the instance's dict, with the declared fields.
    declared: object = getattr(type(event), "__fields__", {})
    return {
        key: value
        for key, value in cast(dict[str, object], getattr(event, "__dict__", {})).items()
        if isinstance(declared, Mapping) and key not in declared
    }


def error_event_from(
    raised: APIError, request: httpx2.Request, last_sent: object = None
) -> ResponseStreamEvent | None:
    """The `error` event the SDK's stream of `request` raised `raised` for; None for any other error.

    The SDK raises exactly `APIError` for an event with an `error` key; every other failure of
    a request is a subclass (`APIStatusError`, `APIConnectionError`, `APITimeoutError`, ...). The
    error's request is the stream's own (a copy without credentials on newer SDKs). `last_sent`
    is the JSON of the last server-sent event the stream read: the event itself, with its
    `sequence_number`, when its `error` is the error's body.
    """
    if type(raised) is not APIError:
        return None
    if raised.request.method != request.method or raised.request.url != request.url:
        return None
    # Imported here: the root imports this module, and the event union is costly to load.
    from openai._models import construct_type
    from openai.types.responses import ResponseStreamEvent

    value: dict[str, object] = {"type": "error", "error": raised.body}
    if isinstance(last_sent, Mapping) and cast(Mapping[str, object], last_sent).get("error") == raised.body:
        value = {**cast(Mapping[str, object], last_sent), "type": "error"}
    # Parsed as the SDK parses an event it delivers: leniently, keeping the body as sent.
    event = construct_type(type_=ResponseStreamEvent, value=value)
    return cast(ResponseStreamEvent, event)
