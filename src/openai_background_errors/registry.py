"""From a terminal response's status and code to the error class that stands for it.

`ErrorRegistry` keys on the raw strings the API sends (`error.code` for failed
responses, `incomplete_details.reason` for incomplete ones). Lookup is exact: a
code nobody has registered gets the status's base class and keeps its raw string
in `.code`. Nothing is guessed from a code's spelling, so the day a code is
registered its class can only become more specific, never move sideways.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar, overload

from .errors import (
    BackgroundContentFilterError,
    BackgroundDataResidencyError,
    BackgroundImageContentPolicyError,
    BackgroundInvalidImageError,
    BackgroundInvalidPromptError,
    BackgroundMaxOutputTokensError,
    BackgroundPolicyViolationError,
    BackgroundQuotaExceededError,
    BackgroundRateLimitError,
    BackgroundResponseCancelledError,
    BackgroundResponseError,
    BackgroundResponseFailedError,
    BackgroundResponseIncompleteError,
    BackgroundServerError,
    BackgroundVectorStoreTimeoutError,
)

if TYPE_CHECKING:
    from openai.types.responses import Response

__all__ = [
    "ErrorRegistry",
    "RaisePolicy",
    "default_registry",
    "error_for",
    "is_retryable",
    "raise_for_status",
]

_ErrorT = TypeVar("_ErrorT", bound=type[BackgroundResponseError])

STATUS_BASES: Final[Mapping[str, type[BackgroundResponseError]]] = {
    "failed": BackgroundResponseFailedError,
    "incomplete": BackgroundResponseIncompleteError,
    "cancelled": BackgroundResponseCancelledError,
}
"""The terminal statuses that are not success, and the base class of each."""

_IMAGE_CODES: Final = (
    "invalid_image",
    "invalid_image_format",
    "invalid_base64_image",
    "invalid_image_url",
    "image_too_large",
    "image_too_small",
    "image_parse_error",
    "invalid_image_mode",
    "image_file_too_large",
    "unsupported_image_media_type",
    "empty_image_file",
    "failed_to_download_image",
    "image_file_not_found",
)

_BUILTIN: Final[Mapping[tuple[str, str], type[BackgroundResponseError]]] = {
    ("failed", "server_error"): BackgroundServerError,
    ("failed", "rate_limit_exceeded"): BackgroundRateLimitError,
    ("failed", "vector_store_timeout"): BackgroundVectorStoreTimeoutError,
    ("failed", "insufficient_quota"): BackgroundQuotaExceededError,
    ("failed", "invalid_prompt"): BackgroundInvalidPromptError,
    ("failed", "bio_policy"): BackgroundPolicyViolationError,
    ("failed", "misalignment_policy_violation"): BackgroundPolicyViolationError,
    ("failed", "data_residency_mismatch"): BackgroundDataResidencyError,
    ("failed", "image_content_policy_violation"): BackgroundImageContentPolicyError,
    **{("failed", code): BackgroundInvalidImageError for code in _IMAGE_CODES},
    ("incomplete", "max_output_tokens"): BackgroundMaxOutputTokensError,
    ("incomplete", "content_filter"): BackgroundContentFilterError,
}


class ErrorRegistry:
    """A table from `(status, code)` to error class, starting from the built-in classification.

    Registrations are private to the registry they are made on; a fresh
    `ErrorRegistry()` never sees what was registered on `default_registry`.
    """

    def __init__(self) -> None:
        self._classes: Mapping[tuple[str, str], type[BackgroundResponseError]] = dict(_BUILTIN)
        self._lock = threading.Lock()

    @overload
    def register(
        self, code: str, cls: None = None, *, status: str = "failed", replace: bool = False
    ) -> Callable[[_ErrorT], _ErrorT]: ...

    @overload
    def register(
        self, code: str, cls: _ErrorT, *, status: str = "failed", replace: bool = False
    ) -> _ErrorT: ...

    def register(
        self, code: str, cls: _ErrorT | None = None, *, status: str = "failed", replace: bool = False
    ) -> _ErrorT | Callable[[_ErrorT], _ErrorT]:
        """Map `code` (for responses whose status is `status`) to `cls`.

        Call it directly, `registry.register("new_code", MyError)`, or use it as a
        class decorator. Registering a code twice raises `ValueError` unless
        `replace=True`.
        """
        base = STATUS_BASES.get(status)
        if base is None:
            raise ValueError(f"Cannot register for status {status!r}; expected one of {sorted(STATUS_BASES)}")
        if not isinstance(code, str) or not code:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"Expected a non-empty code string, got {code!r}")

        def add(error_cls: _ErrorT) -> _ErrorT:
            if not (isinstance(error_cls, type) and issubclass(error_cls, base)):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise TypeError(
                    f"A {status!r} code must map to a subclass of {base.__name__}, got {error_cls!r}"
                )
            key = (status, code)
            with self._lock:
                current = self._classes.get(key)
                if current is not None and not replace:
                    raise ValueError(
                        f"Code {code!r} (status {status!r}) is already registered to {current.__name__}; "
                        "pass replace=True to override it"
                    )
                # Copy on write: lookups read the mapping without taking the lock.
                self._classes = {**self._classes, key: error_cls}
            return error_cls

        return add if cls is None else add(cls)

    def lookup(self, status: str, code: str | None) -> type[BackgroundResponseError] | None:
        """The class for a response with this status and code; None when the status is not a failure."""
        # Lenient parsing lets any JSON value through as a status or code: a non-string never
        # matches a registration, and is classified as an unknown code would be.
        base = STATUS_BASES.get(status) if isinstance(status, str) else None  # pyright: ignore[reportUnnecessaryIsInstance]
        if base is None:
            return None
        if not isinstance(code, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            return base
        return self._classes.get((status, code), base)


default_registry: Final = ErrorRegistry()
"""The registry the package ships; the clients use it unless given their own."""


def _code_of(response: Response, status: str) -> str | None:
    # Read as sent: `error` and `incomplete_details` may be any JSON value, not only an object.
    if status == "incomplete":
        details: object = response.incomplete_details
        return getattr(details, "reason", None)
    error: object = response.error
    return getattr(error, "code", None)


def error_for(
    response: Response, *, registry: ErrorRegistry | None = None, request_id: str | None = None
) -> BackgroundResponseError | None:
    """The error a terminal, unsuccessful `response` stands for, or None.

    None for completed, queued, in-progress and unknown statuses. `request_id`
    defaults to the one the SDK recorded on the response.
    """
    # This path runs for every poll and stream of a background run: it reads each value once
    # and calls no more than it must (see `scripts/bench`'s classify figure).
    status = response.status
    if status is None:
        return None
    cls = (registry or default_registry).lookup(status, _code_of(response, status))
    if cls is None:
        return None
    if request_id is None:
        recorded = response.__dict__.get("_request_id", _NOT_RECORDED)
        request_id = _request_id_kept_elsewhere(response) if recorded is _NOT_RECORDED else recorded
    return cls.from_response(response, request_id=request_id)


def _request_id_kept_elsewhere(response: Response) -> str | None:
    """The `x-request-id` of a response whose `__dict__` does not hold one.

    The SDK records it as a plain attribute, which lands in the instance's `__dict__` (pydantic
    1 and 2), where `error_for` reads it. It is not asked of the model for it: on pydantic 2 a
    missing attribute costs an exception raised and caught inside pydantic (~3 us, more than the
    rest of `error_for`). A model type may keep it elsewhere (a pydantic private attribute, a
    class default), where only the attribute lookup finds it; which types do is found once.
    """
    kind = type(response)
    elsewhere = _KEEPS_REQUEST_ID_ELSEWHERE.get(kind)
    if elsewhere is None:
        # The type answers for a pydantic private attribute too (pydantic 2's metaclass does).
        elsewhere = _KEEPS_REQUEST_ID_ELSEWHERE[kind] = hasattr(kind, "_request_id")
    return getattr(response, "_request_id", None) if elsewhere else None


_NOT_RECORDED: Final = object()
_KEEPS_REQUEST_ID_ELSEWHERE: dict[type, bool] = {}


@dataclass(frozen=True)
class RaisePolicy:
    """Which terminal statuses raise, and the registry that classifies them."""

    raise_on: frozenset[str]
    registry: ErrorRegistry

    @classmethod
    def of(cls, raise_on: Iterable[str], registry: ErrorRegistry | None) -> RaisePolicy:
        """Validate user input: `raise_on` is a collection of the statuses in `STATUS_BASES`."""
        if isinstance(raise_on, str):
            raise TypeError(f"raise_on takes a collection of statuses, e.g. ({raise_on!r},), not a string")
        statuses = frozenset(raise_on)
        unknown = statuses - STATUS_BASES.keys()
        if unknown:
            raise ValueError(
                f"raise_on has unknown statuses {sorted(unknown)}; expected some of {sorted(STATUS_BASES)}"
            )
        return cls(statuses, registry or default_registry)

    def error_for(
        self, response: Response, *, request_id: str | None = None
    ) -> BackgroundResponseError | None:
        """The error to raise for `response`, or None when its status is not one that raises."""
        status: object = response.status
        if not isinstance(status, str) or status not in self.raise_on:
            return None
        return error_for(response, registry=self.registry, request_id=request_id)

    def check(self, response: Response, *, request_id: str | None = None) -> Response:
        """Raise the error for `response` when its status raises; return it unchanged otherwise."""
        error = self.error_for(response, request_id=request_id)
        if error is not None:
            raise error
        return response


def raise_for_status(
    response: Response,
    *,
    incomplete: bool = False,
    cancelled: bool = False,
    registry: ErrorRegistry | None = None,
) -> Response:
    """Raise the error for a failed response (and, when asked, an incomplete or cancelled one).

    Returns `response` unchanged otherwise, so calls chain:
    `text = raise_for_status(client.responses.retrieve(id)).output_text`.
    """
    raise_on = ["failed"]
    if incomplete:
        raise_on.append("incomplete")
    if cancelled:
        raise_on.append("cancelled")
    return RaisePolicy.of(raise_on, registry).check(response)


def is_retryable(exc: BaseException) -> bool:
    """Whether `exc` is a background failure worth a new `create()`; for tenacity, stamina or backoff."""
    return isinstance(exc, BackgroundResponseError) and exc.retryable
