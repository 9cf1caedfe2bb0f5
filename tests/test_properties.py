"""Property-based tests: whatever a Response-shaped body holds, classification never crashes.

The SDK parses bodies leniently (it never rejects a value of the wrong type), so a
`Response` can carry anything: an unknown status, an `error` that is a string, a
code that is a number. For every such body, `error_for` returns None or an error
of the family, keeps the raw code verbatim, decides the same way every time,
and the error survives `pickle`.

Run the default (modest) size with the suite; run the `fuzz` profile (10,000
examples per property) with `scripts/test tests/test_properties.py --hypothesis-profile=fuzz`.
"""

from __future__ import annotations

import copy
import pickle
import typing
from typing import Any, cast

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openai._models import construct_type
from openai.types.responses import Response
from openai.types.responses.response_error import ResponseError

import openai_background_errors as obe
from openai_background_errors.registry import STATUS_BASES, RaisePolicy

from .conftest import response_body

ABSENT = object()
"""A key left out of the body altogether."""

# The class's own annotation (pydantic 1 and 2 alike).
DECLARED_CODES: tuple[str, ...] = typing.get_args(ResponseError.__annotations__["code"])
RETRYABLE_CODES = {"server_error", "rate_limit_exceeded", "vector_store_timeout"}

# Values of the wrong type for any field: what lenient parsing lets through.
odd: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)


def _repeat(unit: str, times: int) -> str:
    return unit * times


long_text: st.SearchStrategy[str] = st.builds(
    _repeat, st.text(min_size=1, max_size=3), st.integers(500, 3000)
)
codes: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(
        [*DECLARED_CODES, "", "brand_new_code", "cyber_policy", "image_too_blurry", "max_output_tokens"]
    ),
    st.text(),
    long_text,
    odd,
)
reasons: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(["max_output_tokens", "content_filter", "max_messages", "steered", ""]), st.text(), odd
)
statuses: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(
        ["completed", "failed", "incomplete", "cancelled", "queued", "in_progress", "expired", ""]
    ),
    st.text(max_size=12),
    odd,
)
messages: st.SearchStrategy[object] = st.one_of(
    st.text(), long_text, st.just("line one\nline two\r\n\u2028three"), odd
)
misalignments: st.SearchStrategy[object] = st.one_of(
    odd,
    st.fixed_dictionaries(
        {},
        optional={
            "error_type": st.one_of(st.text(max_size=10), odd),
            "detailed_explanation": st.one_of(st.text(max_size=10), odd),
            "steer": st.one_of(odd, st.fixed_dictionaries({}, optional={"message": odd})),
        },
    ),
)
errors: st.SearchStrategy[object] = st.one_of(
    st.just(ABSENT),
    odd,
    st.fixed_dictionaries(
        {},
        optional={
            "code": codes,
            "message": messages,
            "param": odd,
            "type": odd,
            "misalignment": misalignments,
        },
    ),
)
incomplete_details: st.SearchStrategy[object] = st.one_of(
    st.just(ABSENT), odd, st.fixed_dictionaries({}, optional={"reason": reasons, "extra": odd})
)

_TEMPLATE = response_body("completed")


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A `GET /v1/responses/{id}` body with every failure-related field drawn from odd shapes."""
    body = {key: value for key, value in _TEMPLATE.items() if key not in ("error", "incomplete_details")}
    body["status"] = draw(statuses)
    for key, strategy in (("error", errors), ("incomplete_details", incomplete_details)):
        value = draw(strategy)
        if value is not ABSENT:
            body[key] = value
    if draw(st.booleans()):
        body["id"] = draw(st.one_of(st.text(max_size=12), odd))
    return body


def parse(body: dict[str, Any]) -> Response:
    """Parse the way the SDK parses an answer: leniently, keeping whatever was sent."""
    response = construct_type(type_=Response, value=copy.deepcopy(body))
    assert isinstance(response, Response)
    return response


def _member(body: dict[str, Any], outer: str, inner: str) -> object:
    value: object = body.get(outer)
    return cast(dict[str, object], value).get(inner) if isinstance(value, dict) else None


def same(left: object, right: object) -> bool:
    """Verbatim: equal and of the same type (so 1, 1.0 and True differ)."""
    return type(left) is type(right) and left == right


def state(error: obe.BackgroundResponseError) -> dict[str, Any]:
    fields = {name: value for name, value in vars(error).items() if name != "response"}
    return {
        **fields,
        "class": type(error),
        "str": str(error),
        "repr": repr(error),
        "args": error.args,
        "response": error.response,
    }


def expected_class(status: object, code: object) -> type[obe.BackgroundResponseError] | None:
    """The oracle: the registry for string codes, the status's base class for anything else."""
    if not isinstance(status, str) or status not in STATUS_BASES:
        return None
    if isinstance(code, str):
        return obe.default_registry.lookup(status, code)
    return STATUS_BASES[status]


@given(bodies())
@example({**_TEMPLATE, "status": "failed", "error": "boom"})
@example({**_TEMPLATE, "status": "failed", "error": {"code": 42, "message": None}})
@example({**_TEMPLATE, "status": "failed", "error": {"code": ["server_error"], "message": 7}})
@example({**_TEMPLATE, "status": ["failed"], "error": {"code": "server_error"}})
@example({**_TEMPLATE, "status": "incomplete", "incomplete_details": "max_output_tokens"})
@example({**_TEMPLATE, "status": "incomplete", "incomplete_details": {"reason": {"a": 1}}})
@example({**_TEMPLATE, "status": "failed", "error": {"code": "bio_policy", "misalignment": "odd"}})
@example({**_TEMPLATE, "status": "failed", "error": {"code": "a\nb", "message": "m"}, "id": "x\ny"})
def test_error_for_classifies_or_steps_aside(body: dict[str, Any]) -> None:
    status = body["status"]
    raw_code = _member(body, "error", "code")
    raw_reason = _member(body, "incomplete_details", "reason")
    classification = expected_class(status, raw_reason if status == "incomplete" else raw_code)

    error = obe.error_for(parse(body))

    if classification is None:
        assert error is None
        return
    assert isinstance(error, obe.BackgroundResponseError)
    assert type(error) is classification
    assert error.status == status
    # The raw code (and reason) survive verbatim, whatever their type.
    assert same(error.code, raw_code)
    if isinstance(error, obe.BackgroundResponseIncompleteError):
        assert same(error.reason, raw_reason)
    assert error.retryable == (
        status == "failed" and isinstance(raw_code, str) and raw_code in RETRYABLE_CODES
    )
    # str is one line, whatever the code, message or id hold.
    assert len(str(error).splitlines()) <= 1
    repr(error)
    if isinstance(error, obe.BackgroundPolicyViolationError):
        assert error.misalignment is None or hasattr(error.misalignment, "error_type")

    # Deterministic: the same body classifies the same way, into an equal error.
    again = obe.error_for(parse(body))
    assert again is not None and state(again) == state(error)

    # Every produced error round-trips through copy, and through pickle with every field
    # intact but the response's content (see tests/test_secrets.py), and classifies the same.
    for clone in (copy.copy(error), copy.deepcopy(error)):
        assert state(clone) == state(error)
    pickled = pickle.loads(pickle.dumps(error))
    assert {**state(pickled), "response": None} == {**state(error), "response": None}
    assert pickled.response is not None
    assert type(obe.error_for(pickled.response)) is type(error)


@given(bodies(), st.sets(st.sampled_from(sorted(STATUS_BASES))))
def test_raise_policy_raises_only_family_errors(body: dict[str, Any], raise_on: set[str]) -> None:
    response = parse(body)
    status = body["status"]
    if isinstance(status, str) and status in raise_on:
        with pytest.raises(obe.BackgroundResponseError) as caught:
            RaisePolicy.of(raise_on, None).check(response)
        assert caught.value.status == status
    else:
        assert RaisePolicy.of(raise_on, None).check(response) is response


@given(st.one_of(statuses, odd), st.one_of(codes, reasons))
@example("failed", [])
@example(["failed"], "server_error")
def test_lookup_returns_none_or_a_class_of_the_status(status: object, code: object) -> None:
    found = obe.default_registry.lookup(status, code)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    if not isinstance(status, str) or status not in STATUS_BASES:
        assert found is None
    else:
        assert found is not None and issubclass(found, STATUS_BASES[status])
        assert found.retryable == (status == "failed" and isinstance(code, str) and code in RETRYABLE_CODES)


# In-band `error` events, in the documented flat shape and in the live API's nested one.
_NAMED = ("type", "code", "message", "param")
inner_errors: st.SearchStrategy[dict[str, object]] = st.fixed_dictionaries(
    {},
    optional={
        "type": st.one_of(st.sampled_from(["too_many_requests", "tokens", "server_error"]), odd),
        "code": codes,
        "message": messages,
        "param": st.one_of(st.none(), st.text(max_size=10), odd),
        "headers": st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
    },
)
sequence_numbers: st.SearchStrategy[object] = st.one_of(st.integers(0, 10_000), odd)


def _nested(inner: dict[str, object], number: object) -> dict[str, object]:
    return {"type": "error", "sequence_number": number, "error": inner}


def _flat(inner: dict[str, object], number: object) -> dict[str, object]:
    fields = {key: value for key, value in inner.items() if key in ("code", "message", "param")}
    return {"type": "error", "sequence_number": number, **fields}


error_events: st.SearchStrategy[dict[str, object]] = st.one_of(
    st.builds(_nested, inner_errors, sequence_numbers), st.builds(_flat, inner_errors, sequence_numbers)
)


@given(error_events)
@example({"type": "error", "sequence_number": 2, "error": {"type": "tokens", "code": "rate_limit_exceeded"}})
@example({"type": "error", "sequence_number": 2, "error": {"type": "server_error", "code": None}})
@example({"type": "error", "sequence_number": 2, "code": "server_error", "message": "m", "param": None})
def test_an_error_event_of_either_shape_classifies_by_its_code_alone(data: dict[str, object]) -> None:
    from openai.types.responses import ResponseStreamEvent

    from openai_background_errors.streaming import FailureWatch

    event = construct_type(type_=ResponseStreamEvent, value=data)
    watch = FailureWatch(RaisePolicy.of({"failed"}, None), request_id="req_prop")
    assert watch.error_after(cast(Any, event)) is None  # decided at the stream's end or its next event
    error = watch.error_at_end()
    assert isinstance(error, obe.BackgroundResponseFailedError)

    nested = "error" in data
    fields = cast(dict[str, object], data["error"]) if nested else data
    code = fields.get("code") if nested else getattr(event, "code", None)
    # The class and `retryable` come from the code alone: never from the nested `type`.
    assert type(error) is expected_class("failed", code)
    assert error.retryable == (isinstance(code, str) and code in RETRYABLE_CODES)
    for name in ("code", "message", "param"):
        # Nested: as sent. Flat: as the SDK parsed the event's declared fields (pydantic 1 coerces
        # some values there, `False` into "False").
        sent = fields.get(name) if nested else getattr(event, name, None)
        assert same(getattr(error, name), sent)
    assert same(error.error_type, fields.get("type") if nested else None)
    assert error.details == ({k: v for k, v in fields.items() if k not in _NAMED} if nested else {})
    number = data["sequence_number"]
    if isinstance(number, int) and not isinstance(number, bool):
        assert error.sequence_number == number
    else:  # no number, or what the SDK's lenient parsing made of the value (openai 2.x: False is 0)
        assert error.sequence_number is None or type(error.sequence_number) is int
    assert (error.request_id, error.response) == ("req_prop", None)
    assert len(str(error).splitlines()) <= 1

    # Every field survives copy, pickle and the rebuild from `args` that task queues do.
    for clone in (copy.copy(error), copy.deepcopy(error), pickle.loads(pickle.dumps(error))):
        assert state(clone) == state(error)
    rebuilt = type(error)(*error.args)
    assert (rebuilt.error_type, rebuilt.details, rebuilt.code) == (
        error.error_type,
        error.details,
        error.code,
    )
