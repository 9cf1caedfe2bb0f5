"""Drop-in subclasses of openai's clients whose `responses.retrieve` raises for failed runs.

Each client classifies in one place, where the SDK turns a JSON body into a
model. A `Response` parsed from a `GET` (that is, `responses.retrieve`) goes
through the client's `RaisePolicy` there, so the plain call,
`.with_raw_response.retrieve(...).parse()` and
`.with_streaming_response.retrieve(...).parse()` raise the same error, carrying
the `x-request-id` of the exchange that revealed it. Every other method is the
stock SDK's, untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

import openai
from openai.types.responses import Response
from typing_extensions import Self

from .registry import ErrorRegistry, RaisePolicy

if TYPE_CHECKING:
    import httpx2
    from openai._base_client import BaseClient

    _ClientBase = BaseClient[Any, Any]
else:
    _ClientBase = object

__all__ = ["AsyncAzureOpenAI", "AsyncOpenAI", "AzureOpenAI", "OpenAI", "enable"]

_T = TypeVar("_T")

DEFAULT_RAISE_ON = ("failed",)


class _RaisesForBackgroundFailures(_ClientBase):
    """What the four clients add to openai's: the `raise_on` policy and where it applies."""

    _raise_policy: RaisePolicy

    def __init__(
        self,
        *,
        raise_on: Iterable[str] = DEFAULT_RAISE_ON,
        error_registry: ErrorRegistry | None = None,
        **options: Any,
    ) -> None:
        self._raise_policy = RaisePolicy.of(raise_on, error_registry)
        super().__init__(**options)

    @property
    def raise_on(self) -> frozenset[str]:
        """The terminal statuses that raise instead of returning the response."""
        return self._raise_policy.raise_on

    @property
    def error_registry(self) -> ErrorRegistry:
        """The registry that picks the error class for each code."""
        return self._raise_policy.registry

    def copy(
        self, *, raise_on: Iterable[str] | None = None, error_registry: ErrorRegistry | None = None, **options: Any
    ) -> Self:
        """openai's `copy()`, keeping this client's `raise_on` and `error_registry` unless given new ones."""
        copied = cast(Self, cast(Any, super()).copy(**options))
        copied._raise_policy = RaisePolicy.of(
            self.raise_on if raise_on is None else raise_on, error_registry or self.error_registry
        )
        return copied

    with_options = copy

    def _process_response_data(self, *, data: object, cast_to: type[_T], response: httpx2.Response) -> _T:
        parsed = super()._process_response_data(data=data, cast_to=cast_to, response=response)
        # Only `responses.retrieve` GETs a `Response`; create, cancel and parse POST.
        if cast_to is Response and response.request.method == "GET":
            self._raise_policy.check(cast(Response, parsed), request_id=response.headers.get("x-request-id"))
        return parsed


class OpenAI(_RaisesForBackgroundFailures, openai.OpenAI):
    """`openai.OpenAI` whose `responses.retrieve` raises for the statuses in `raise_on`."""


class AsyncOpenAI(_RaisesForBackgroundFailures, openai.AsyncOpenAI):
    """`openai.AsyncOpenAI` whose `responses.retrieve` raises for the statuses in `raise_on`."""


class AzureOpenAI(_RaisesForBackgroundFailures, openai.AzureOpenAI):
    """`openai.AzureOpenAI` whose `responses.retrieve` raises for the statuses in `raise_on`."""


class AsyncAzureOpenAI(_RaisesForBackgroundFailures, openai.AsyncAzureOpenAI):
    """`openai.AsyncAzureOpenAI` whose `responses.retrieve` raises for the statuses in `raise_on`."""


# Most specific first: the Azure clients subclass the plain ones.
_ENABLED: tuple[tuple[type[Any], type[_RaisesForBackgroundFailures]], ...] = (
    (openai.AsyncAzureOpenAI, AsyncAzureOpenAI),
    (openai.AzureOpenAI, AzureOpenAI),
    (openai.AsyncOpenAI, AsyncOpenAI),
    (openai.OpenAI, OpenAI),
)


@overload
def enable(
    client: openai.AsyncAzureOpenAI, *, raise_on: Iterable[str] = ..., error_registry: ErrorRegistry | None = ...
) -> AsyncAzureOpenAI: ...
@overload
def enable(
    client: openai.AzureOpenAI, *, raise_on: Iterable[str] = ..., error_registry: ErrorRegistry | None = ...
) -> AzureOpenAI: ...
@overload
def enable(
    client: openai.AsyncOpenAI, *, raise_on: Iterable[str] = ..., error_registry: ErrorRegistry | None = ...
) -> AsyncOpenAI: ...
@overload
def enable(
    client: openai.OpenAI, *, raise_on: Iterable[str] = ..., error_registry: ErrorRegistry | None = ...
) -> OpenAI: ...
def enable(
    client: openai.OpenAI | openai.AsyncOpenAI,
    *,
    raise_on: Iterable[str] = DEFAULT_RAISE_ON,
    error_registry: ErrorRegistry | None = None,
) -> OpenAI | AsyncOpenAI:
    """A client that behaves like this package's, with the settings and connection pool of `client`.

    `client` itself is left as it was.
    """
    policy = RaisePolicy.of(raise_on, error_registry)
    if isinstance(client, _RaisesForBackgroundFailures):
        return client.copy(raise_on=policy.raise_on, error_registry=policy.registry)
    target = next((ours for stock, ours in _ENABLED if type(client) is stock), None)
    if target is None:
        raise TypeError(
            "enable() takes an openai.OpenAI, AsyncOpenAI, AzureOpenAI or AsyncAzureOpenAI client, "
            f"not {type(client).__qualname__}; subclass this package's client of the same kind instead"
        )
    # The SDK's copy() reads every setting off the instance, shares its connection pool and
    # builds the clone with `type(self)(...)`. A throwaway instance of our class over the
    # stock client's attributes lets that same copy() build a properly constructed one of ours.
    prototype = object.__new__(target)
    vars(prototype).update(vars(client))
    prototype._raise_policy = policy
    return cast("OpenAI | AsyncOpenAI", prototype.copy())
