"""
Errors for background Responses that ended without completing.

The hierarchy::

    OpenAIError
    └── BackgroundResponseError
         ├── BackgroundResponseFailedError          status "failed"; unknown and null codes
         │    ├── BackgroundServerError                  server_error            retryable
         │    ├── BackgroundRateLimitError               rate_limit_exceeded     retryable
         │    ├── BackgroundVectorStoreTimeoutError      vector_store_timeout    retryable
         │    ├── BackgroundQuotaExceededError           insufficient_quota
         │    ├── BackgroundInvalidPromptError           invalid_prompt
         │    ├── BackgroundPolicyViolationError         bio_policy, misalignment_policy_violation
         │    ├── BackgroundDataResidencyError           data_residency_mismatch
         │    └── BackgroundInvalidImageError            every image code
         │         └── BackgroundImageContentPolicyError  image_content_policy_violation
         │                                                (also a BackgroundPolicyViolationError)
         ├── BackgroundResponseIncompleteError      status "incomplete"; `.reason`
         │    ├── BackgroundMaxOutputTokensError         max_output_tokens
         │    └── BackgroundContentFilterError           content_filter
         └── BackgroundResponseCancelledError       status "cancelled"

Every error is also a `RuntimeError`: the SDK's stream helpers have always ended a
failed stream with a bare `RuntimeError`, and code that catches it keeps working.

None of these errors has a `status_code`. The poll that revealed the failure was
answered with HTTP 200; advertising a 429 or 500 would mislead retry and telemetry
code keyed on HTTP statuses.

An error survives leaving the process three ways. `copy` keeps everything.
`pickle` keeps the class and every field, the response without its content
(the run is stored server-side: `retrieve(error.response_id)` gets it back);
where a library replaced `response` by an object of its own (langchain-openai
sets its HTTP response there), the pickle carries no response at all.
Task queues that move exceptions as JSON (Celery's default) keep the class's
name and `args`, then rebuild with `cls(*args)`: so `args` is
`(message, record)`, the record being every field but `response` as JSON
values, and the constructor takes that form positionally besides its keywords.
That round trip keeps the class, `status`, `retryable` and every field; only
the response is left behind.

When the installed `openai` defines the family's base classes itself (the fork
built from the upstream series, or a release that merged it, exports
`BackgroundResponseError` and its `...FailedError`, `...IncompleteError` and
`...CancelledError`), the four classes here of those names subclass openai's,
so `except openai.BackgroundResponseFailedError` catches what this package
raises. They come first in the method order: this package's constructor,
fields, messages and pickling govern, and openai's constructor is not called.
On a stock `openai` the same bases are `OpenAIError`, which every error here
already is. Type checkers see the stock bases.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import GetSetDescriptorType
from typing import TYPE_CHECKING, Any, ClassVar, Final, cast

import openai
from openai import BaseModel, OpenAIError
from openai.types.responses import Response
from typing_extensions import TypedDict, Unpack

from .in_band import read_error_event

if TYPE_CHECKING:
    from openai.types.responses.response_error import Misalignment
else:
    try:
        from openai.types.responses.response_error import Misalignment
    except ImportError:  # openai < 3.57.0
        from ._compat import Misalignment

__all__ = [
    "BackgroundContentFilterError",
    "BackgroundDataResidencyError",
    "BackgroundImageContentPolicyError",
    "BackgroundInvalidImageError",
    "BackgroundInvalidPromptError",
    "BackgroundMaxOutputTokensError",
    "BackgroundPolicyViolationError",
    "BackgroundQuotaExceededError",
    "BackgroundRateLimitError",
    "BackgroundResponseCancelledError",
    "BackgroundResponseError",
    "BackgroundResponseFailedError",
    "BackgroundResponseIncompleteError",
    "BackgroundServerError",
    "BackgroundVectorStoreTimeoutError",
]


def _openai_family_base(name: str) -> type[OpenAIError]:
    """openai's own class `name` where the installed SDK defines the family, else `OpenAIError`."""
    cls: object = getattr(openai, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, OpenAIError) else OpenAIError


if TYPE_CHECKING:
    _OpenAIBackgroundResponseError = OpenAIError
    _OpenAIBackgroundResponseFailedError = OpenAIError
    _OpenAIBackgroundResponseIncompleteError = OpenAIError
    _OpenAIBackgroundResponseCancelledError = OpenAIError
else:
    _OpenAIBackgroundResponseError = _openai_family_base("BackgroundResponseError")
    _OpenAIBackgroundResponseFailedError = _openai_family_base("BackgroundResponseFailedError")
    _OpenAIBackgroundResponseIncompleteError = _openai_family_base("BackgroundResponseIncompleteError")
    _OpenAIBackgroundResponseCancelledError = _openai_family_base("BackgroundResponseCancelledError")


_EXCEPTION_ARGS: Final = cast(GetSetDescriptorType, vars(BaseException)["args"])
"""BaseException's own `args`, which `BackgroundResponseError.args` stands in front of."""


class ErrorFields(TypedDict, total=False):
    """The keyword arguments every error of the family takes (subclasses add their own)."""

    response: Response | None
    response_id: str | None
    code: str | None
    param: str | None
    request_id: str | None
    sequence_number: int | None
    background: bool | None


class BackgroundResponseError(_OpenAIBackgroundResponseError, RuntimeError):
    """A background response reached a terminal status other than "completed"."""

    status: ClassVar[str] = "unknown"
    """The response status this class stands for; each family below sets its own."""

    retryable: ClassVar[bool] = False
    """Whether submitting the same request again (a new `create()`) may succeed."""

    def __init__(
        self,
        message: str | None = None,
        record: Mapping[str, object] | None = None,
        *,
        response: Response | None = None,
        response_id: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        sequence_number: int | None = None,
        background: bool | None = None,
    ) -> None:
        """Build an error from keywords, or from `args` (`cls(*error.args)`, as task queues do).

        `record` is the second of `args`: the fields but `response`, as JSON values.
        Where it is given, its entries are the fields. `background` says whether the run
        was a background run; by default `response` says (no response: not known to be).
        """
        self.message = message
        self.response = response
        self.response_id = response_id if response_id is not None or response is None else response.id
        self.code = code
        self.param = param
        self.request_id = request_id
        self.sequence_number = sequence_number
        self.background = background if background is not None else _ran_in_background(response)
        if record is not None:
            self._restore(record)
        # Straight to BaseException: openai's own family, where installed, reads its fields from
        # a response in its constructor, and these are set above. No arguments: `args` is built
        # when read (below), and BaseException's own stays empty until `args` is set by hand.
        Exception.__init__(self)

    # `args` is built when read, not with every error: building the record would be most of
    # what classifying a response costs, and few errors ever have their `args` read (task
    # queues do). Built from the fields, it also holds one set after the error was built (a
    # stream's `sequence_number`). Set by hand, `args` is kept where BaseException keeps it and
    # read back as set (set empty, it is built again). Type checkers see BaseException's tuple.
    if not TYPE_CHECKING:

        @property
        def args(self) -> tuple[Any, ...]:
            return _EXCEPTION_ARGS.__get__(self) or (self.message, self._record())

        args = args.setter(_EXCEPTION_ARGS.__set__).deleter(_EXCEPTION_ARGS.__delete__)

    @classmethod
    def from_response(cls, response: Response, *, request_id: str | None = None) -> BackgroundResponseError:
        """Build the error a terminal `response` stands for."""
        return cls(response=response, request_id=request_id, **cls._details_of(response))

    @classmethod
    def _details_of(cls, response: Response) -> dict[str, Any]:
        """The keyword arguments this class reads from the response body."""
        error: object = response.error
        if error is None:
            return {}
        # The SDK parses leniently: `error` may be a string or a list, and `param` is absent from
        # openai < 3.35. Fields are read as sent (never coerced), and as None when there are none.
        return {
            "message": getattr(error, "message", None),
            "code": getattr(error, "code", None),
            "param": getattr(error, "param", None),
        }

    def _summary(self) -> str:
        return f"{self._run()} did not complete"

    def _run(self) -> str:
        """The run, as messages name it: only a background run is called a background response."""
        kind = "background response" if self.background else "response"
        return f"{kind} {self.response_id or '<unknown id>'}"

    def _fields(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this error (for pickle and copy)."""
        return {
            "response": self.response,
            "response_id": self.response_id,
            "code": self.code,
            "param": self.param,
            "request_id": self.request_id,
            "sequence_number": self.sequence_number,
            "background": self.background,
        }

    def _record(self) -> dict[str, object]:
        """Every field but `response`, as JSON values: the second of `args`."""
        # The fields hold what the API sent, JSON already; subclasses whose fields hold a model
        # (`misalignment`) give its JSON form.
        record = self._fields()
        del record["response"]
        return record

    def _restore(self, record: Mapping[str, object]) -> None:
        """Set the fields a record holds (the second of `args`)."""
        if not isinstance(record, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"{type(self).__name__}() takes its fields as keywords or, second, as the mapping its "
                f"`args` carry; got {type(record).__name__}"
            )
        known = self._record()
        unknown = sorted(repr(name) for name in record if name not in known)
        if unknown:
            raise TypeError(f"{type(self).__name__}() has no field {', '.join(unknown)} (in its record)")
        for name, value in record.items():
            setattr(self, name, self._from_json(name, value))

    def _from_json(self, name: str, value: object) -> object:
        """A field's value from its JSON form in a record (fields that hold a model rebuild it)."""
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        # A pickle leaves the process (pools, task queues, caches, crash dumps): it carries the
        # response without its content. The run is stored server-side (background responses
        # are), so `retrieve(error.response_id)` gets the whole response back.
        fields = self._fields()
        # Libraries put their own objects there too (langchain-openai sets its HTTP response):
        # those stay behind, as the JSON round trip leaves the response, rather than arrive as
        # an empty `Response`. Every field of the error is its own, not read from `response`.
        response: object = self.response
        fields["response"] = _without_content(response) if isinstance(response, Response) else None
        return (_rebuild, (type(self), self.message, fields), self._extras())

    def __copy__(self) -> BackgroundResponseError:
        # In-process copies keep the whole response.
        copied = cast(BackgroundResponseError, _rebuild(type(self), self.message, self._fields()))
        vars(copied).update(self._extras())
        return copied

    def __deepcopy__(self, memo: dict[int, Any]) -> BackgroundResponseError:
        fields = copy.deepcopy(self._fields(), memo)
        copied = cast(BackgroundResponseError, _rebuild(type(self), self.message, fields))
        vars(copied).update(copy.deepcopy(self._extras(), memo))
        return copied

    def _extras(self) -> dict[str, Any]:
        """What callers added to the error (`add_note`'s `__notes__`, their own attributes)."""
        fields = self._fields()
        return {name: value for name, value in vars(self).items() if name != "message" and name not in fields}

    def __str__(self) -> str:
        # One line whatever the code, message or id hold (lenient parsing keeps newlines too).
        return _one_line(self._summary())

    def _repr_fields(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "response_id": self.response_id,
            "request_id": self.request_id,
        }

    def __repr__(self) -> str:
        # Curated: never the response itself, whose input and output may hold customer data.
        fields = ", ".join(f"{name}={value!r}" for name, value in self._repr_fields().items())
        return f"{type(self).__name__}({fields})"


# The fields of a Response that say how a run ended, and nothing of what went in or came out.
_OUTCOME_FIELDS = frozenset(
    {
        "id", "object", "created_at", "completed_at", "status", "error", "incomplete_details",
        "background", "model", "service_tier", "usage", "max_output_tokens", "max_tool_calls",
        "parallel_tool_calls", "previous_response_id", "temperature", "top_p", "top_logprobs",
        "truncation",
    }
)  # fmt: skip


def _without_content(response: Response) -> Response:
    """A copy of `response` with only `_OUTCOME_FIELDS`: no output, instructions, prompt, tools,
    metadata or user, and none of the fields this SDK does not declare."""
    kept: dict[str, Any] = {name: value for name, value in vars(response).items() if name in _OUTCOME_FIELDS}
    kept.update(output=[], tools=[])
    return Response.construct(**kept)


def _rebuild(cls: type[BackgroundResponseError], message: str | None, fields: dict[str, Any]) -> Any:
    return cls(message, **fields)


def _ran_in_background(response: Response | None) -> bool:
    return response is not None and getattr(response, "background", None) is True


def _one_line(text: str) -> str:
    return " ".join(text.split())


class FailedErrorFields(ErrorFields, total=False):
    """The keyword arguments every failed-run error takes (subclasses add their own)."""

    error_type: str | None
    details: Mapping[str, object] | None


class BackgroundResponseFailedError(BackgroundResponseError, _OpenAIBackgroundResponseFailedError):
    """The response failed; the class follows `error.code` (the fallback for unknown or null codes)."""

    status = "failed"

    def __init__(
        self,
        message: str | None = None,
        record: Mapping[str, object] | None = None,
        *,
        error_type: str | None = None,
        details: Mapping[str, object] | None = None,
        **fields: Unpack[ErrorFields],
    ) -> None:
        self.error_type = error_type
        """The error's `type` as an in-band `error` event nests it (`too_many_requests`, `tokens`, ...);
        None for a flat event and for a failure read from a `Response`. Never decides the class."""
        self.details = dict(details or {})
        """Whatever else the in-band `error` event's error carried (`headers`, ...), as sent."""
        super().__init__(message, record, **fields)

    @classmethod
    def from_error_event(cls, event: object, *, request_id: str | None = None) -> BackgroundResponseError:
        """Build the error an in-band `error` stream event stands for (flat or nested shape) when no
        `response.failed` follows it."""
        error = read_error_event(event)
        return cls(
            error.message,
            code=error.code,
            param=error.param,
            request_id=request_id,
            sequence_number=error.sequence_number,
            error_type=error.error_type,
            details=error.details,
        )

    def _fields(self) -> dict[str, Any]:
        return {**super()._fields(), "error_type": self.error_type, "details": self.details}

    def _summary(self) -> str:
        what = self.code if self.code is not None else "no error code"
        detail = str(self.message) if self.message else "no error message"
        return f"{what}: {detail} ({self._run()} failed)"


class BackgroundServerError(BackgroundResponseFailedError):
    """The server failed while running the response (`server_error`)."""

    retryable = True


class BackgroundRateLimitError(BackgroundResponseFailedError):
    """The run hit a rate limit (`rate_limit_exceeded`)."""

    retryable = True


class BackgroundVectorStoreTimeoutError(BackgroundResponseFailedError):
    """A file search timed out on its vector store (`vector_store_timeout`)."""

    retryable = True


class BackgroundQuotaExceededError(BackgroundResponseFailedError):
    """The account has no quota left (`insufficient_quota`); retrying will not help."""


class BackgroundInvalidPromptError(BackgroundResponseFailedError):
    """The prompt was rejected (`invalid_prompt`)."""


class BackgroundPolicyViolationError(BackgroundResponseFailedError):
    """A usage policy stopped the run (`bio_policy`, `misalignment_policy_violation`, ...)."""

    def __init__(
        self,
        message: str | None = None,
        record: Mapping[str, object] | None = None,
        *,
        misalignment: Misalignment | None = None,
        **fields: Unpack[FailedErrorFields],
    ) -> None:
        self.misalignment = misalignment
        super().__init__(message, record, **fields)

    @classmethod
    def _details_of(cls, response: Response) -> dict[str, Any]:
        error: object = response.error
        # `misalignment` appeared in openai 3.57.0; older releases keep it as an unparsed extra field.
        return {
            **super()._details_of(response),
            "misalignment": _as_misalignment(getattr(error, "misalignment", None)),
        }

    def _fields(self) -> dict[str, Any]:
        return {**super()._fields(), "misalignment": self.misalignment}

    def _record(self) -> dict[str, object]:
        return {**super()._record(), "misalignment": _as_json(self.misalignment)}

    def _from_json(self, name: str, value: object) -> object:
        return _as_misalignment(value) if name == "misalignment" else super()._from_json(name, value)


def _as_json(value: object) -> object:
    """A model as plain dicts and lists; its values as they are (they came from JSON).

    Not pydantic's serializer: it warns on the odd values lenient parsing keeps, and this
    runs while an error is being built, where nothing may raise.
    """
    if isinstance(value, BaseModel):
        return {name: _as_json(item) for name, item in value}
    if isinstance(value, list):
        return [_as_json(item) for item in cast(list[object], value)]
    return value


def _as_misalignment(misalignment: object) -> Misalignment | None:
    if misalignment is None or isinstance(misalignment, Misalignment):
        return misalignment
    if isinstance(misalignment, Mapping):
        # Lenient, as the SDK parses: odd values are kept, never raised on.
        return Misalignment.construct(**cast(Mapping[str, Any], misalignment))
    # Not an object at all: nothing to model; `response.error` still holds it as sent.
    return None


class BackgroundDataResidencyError(BackgroundResponseFailedError):
    """The request conflicts with the project's data residency (`data_residency_mismatch`)."""


class BackgroundInvalidImageError(BackgroundResponseFailedError):
    """An input image could not be used (every `image_*` and `invalid_image*` code)."""


class BackgroundImageContentPolicyError(BackgroundInvalidImageError, BackgroundPolicyViolationError):
    """An input image breaks the content policy (`image_content_policy_violation`)."""


class BackgroundResponseIncompleteError(BackgroundResponseError, _OpenAIBackgroundResponseIncompleteError):
    """The response stopped early; `.reason` says why (`incomplete_details.reason`, possibly None)."""

    status = "incomplete"

    def __init__(
        self,
        message: str | None = None,
        record: Mapping[str, object] | None = None,
        *,
        reason: str | None = None,
        **fields: Unpack[ErrorFields],
    ) -> None:
        self.reason = reason
        super().__init__(message, record, **fields)

    @classmethod
    def _details_of(cls, response: Response) -> dict[str, Any]:
        details: object = response.incomplete_details
        return {**super()._details_of(response), "reason": getattr(details, "reason", None)}

    def _summary(self) -> str:
        why = self.reason if self.reason is not None else "no reason given"
        return f"incomplete: {why} ({self._run()})"

    def _fields(self) -> dict[str, Any]:
        return {**super()._fields(), "reason": self.reason}

    def _repr_fields(self) -> dict[str, object]:
        return {"reason": self.reason, **super()._repr_fields()}


class BackgroundMaxOutputTokensError(BackgroundResponseIncompleteError):
    """The response ran out of output tokens (`max_output_tokens`)."""


class BackgroundContentFilterError(BackgroundResponseIncompleteError):
    """The content filter cut the response short (`content_filter`)."""


class BackgroundResponseCancelledError(BackgroundResponseError, _OpenAIBackgroundResponseCancelledError):
    """The response was cancelled before it finished."""

    status = "cancelled"

    def _summary(self) -> str:
        return f"cancelled: {self._run()} was cancelled"
