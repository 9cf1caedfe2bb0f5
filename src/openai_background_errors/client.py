"""Drop-in subclasses of openai's clients that raise typed errors for failed background runs.

Each client classifies in two places of the SDK's own response handling, so
every way of calling an endpoint behaves the same:

- where a JSON body becomes a model: every `Response` the client receives from
  `responses.retrieve`, `create` and `parse` goes through the client's
  `RaisePolicy` (`cancel` alone returns its response as it is), so the plain
  call, `.with_raw_response.<method>(...).parse()` and
  `.with_streaming_response.<method>(...).parse()` raise the same error with the
  `x-request-id` of the exchange that revealed it;
- where a response becomes a stream: a stream of Responses events is a
  `BackgroundEventStream`, so `create(stream=True)`, `retrieve(stream=True)` and
  the `stream(...)` helpers built on them raise at the failure and resume a
  dropped background stream.

Every other method is the stock SDK's, untouched.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Iterable
from functools import cached_property, update_wrapper
from typing import TYPE_CHECKING, Any, TypeVar, cast, get_args, overload

import openai
from openai.types.responses import Response, ResponseStreamEvent
from typing_extensions import Self, Unpack

from ._copy_options import (
    AsyncAzureCopyOptions,
    AsyncAzureInitOptions,
    AsyncCopyOptions,
    AsyncInitOptions,
    AzureCopyOptions,
    AzureInitOptions,
    SyncCopyOptions,
    SyncInitOptions,
)
from .abandoned import AsyncCancellingEventStream, CancellingEventStream
from .registry import ErrorRegistry, RaisePolicy
from .streaming import AsyncBackgroundEventStream, BackgroundEventStream

if TYPE_CHECKING:
    import httpx2
    from openai._base_client import AsyncAPIClient, BaseClient, SyncAPIClient
    from openai._models import FinalRequestOptions

    from .resources import AsyncResponses, Responses

    _ClientBase = BaseClient[Any, Any]
    _SyncClientBase = SyncAPIClient
    _AsyncClientBase = AsyncAPIClient
else:
    _ClientBase = _SyncClientBase = _AsyncClientBase = object

__all__ = ["AsyncAzureOpenAI", "AsyncOpenAI", "AzureOpenAI", "OpenAI", "enable"]

_T = TypeVar("_T")

DEFAULT_RAISE_ON = ("failed",)
DEFAULT_MAX_STREAM_RESUMES = 3


def _is_responses_event_stream(stream_cls: type[Any] | None) -> bool:
    return get_args(stream_cls) == (ResponseStreamEvent,)


class _RaisesForBackgroundFailures(_ClientBase):
    """What the four clients add to openai's: the `raise_on` policy and where it applies."""

    _raise_policy: RaisePolicy
    _max_stream_resumes: int
    _wait_for_background: bool
    _cancel_abandoned_streams: bool

    def __init__(
        self,
        *,
        raise_on: Iterable[str] = DEFAULT_RAISE_ON,
        error_registry: ErrorRegistry | None = None,
        max_stream_resumes: int = DEFAULT_MAX_STREAM_RESUMES,
        wait_for_background: bool = False,
        cancel_abandoned_streams: bool = False,
        **options: Any,
    ) -> None:
        self._configure(
            RaisePolicy.of(raise_on, error_registry),
            max_stream_resumes,
            wait_for_background=wait_for_background,
            cancel_abandoned_streams=cancel_abandoned_streams,
        )
        super().__init__(**options)

    def _configure(
        self,
        policy: RaisePolicy,
        max_stream_resumes: int,
        *,
        wait_for_background: bool,
        cancel_abandoned_streams: bool,
    ) -> None:
        if not isinstance(max_stream_resumes, int) or max_stream_resumes < 0:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(
                f"Expected a non-negative int for `max_stream_resumes`, got {max_stream_resumes!r}"
            )
        for name, value in (
            ("wait_for_background", wait_for_background),
            ("cancel_abandoned_streams", cancel_abandoned_streams),
        ):
            if not isinstance(value, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise ValueError(f"Expected a bool for `{name}`, got {value!r}")
        self._raise_policy = policy
        self._max_stream_resumes = max_stream_resumes
        self._wait_for_background = wait_for_background
        self._cancel_abandoned_streams = cancel_abandoned_streams

    @property
    def raise_policy(self) -> RaisePolicy:
        """The statuses that raise and the registry that classifies them."""
        return self._raise_policy

    @property
    def raise_on(self) -> frozenset[str]:
        """The terminal statuses that raise instead of returning the response."""
        return self._raise_policy.raise_on

    @property
    def error_registry(self) -> ErrorRegistry:
        """The registry that picks the error class for each code."""
        return self._raise_policy.registry

    @property
    def max_stream_resumes(self) -> int:
        """How many times one stream of a background response reconnects after its connection drops."""
        return self._max_stream_resumes

    @property
    def wait_for_background(self) -> bool:
        """Whether a non-streaming `create`/`parse` with `background=True` returns only once the run is terminal."""
        return self._wait_for_background

    @property
    def cancel_abandoned_streams(self) -> bool:
        """Whether a background stream closed or cancelled before its terminal event cancels its run."""
        return self._cancel_abandoned_streams

    def _copy(
        self,
        *,
        raise_on: Iterable[str] | None = None,
        error_registry: ErrorRegistry | None = None,
        max_stream_resumes: int | None = None,
        wait_for_background: bool | None = None,
        cancel_abandoned_streams: bool | None = None,
        **options: Any,
    ) -> Self:
        """openai's `copy()`, keeping this client's own settings (`raise_on`, `error_registry`,
        `max_stream_resumes`, `wait_for_background`, `cancel_abandoned_streams`) unless given
        new ones (each client class types `options` as its stock `copy()` does)."""
        copied = cast(Self, cast(Any, super()).copy(**options))
        copied._configure(
            RaisePolicy.of(
                self.raise_on if raise_on is None else raise_on, error_registry or self.error_registry
            ),
            self._max_stream_resumes if max_stream_resumes is None else max_stream_resumes,
            wait_for_background=(
                self._wait_for_background if wait_for_background is None else wait_for_background
            ),
            cancel_abandoned_streams=(
                self._cancel_abandoned_streams
                if cancel_abandoned_streams is None
                else cancel_abandoned_streams
            ),
        )
        return copied

    def _process_response_data(self, *, data: object, cast_to: type[_T], response: httpx2.Response) -> _T:
        parsed = super()._process_response_data(data=data, cast_to=cast_to, response=response)
        # `retrieve`, `create` and `parse` receive a `Response` (a foreground run can end failed in
        # a 200 body too); `cancel` returns the cancelled response as it is.
        if cast_to is Response and not response.request.url.path.endswith("/cancel"):
            self._raise_policy.check(cast(Response, parsed), request_id=response.headers.get("x-request-id"))
        return parsed


class _SyncClient(_RaisesForBackgroundFailures, _SyncClientBase):
    @cached_property
    def responses(self) -> Responses:
        """openai's `responses` resource, with `poll` and `create_and_poll`."""
        # Imported here, like the stock client does: loading the Responses resources costs
        # a fifth of `import openai`, and a client that never touches them need not pay it.
        from .resources import Responses

        return Responses(cast(Any, self))

    def _process_response(
        self,
        *,
        cast_to: type[_T],
        options: FinalRequestOptions,
        response: httpx2.Response,
        stream: bool,
        stream_cls: type[Any] | None,
        retries_taken: int = 0,
    ) -> _T:
        if _is_responses_event_stream(stream_cls):
            stream_cls = CancellingEventStream if self._cancel_abandoned_streams else BackgroundEventStream
        return super()._process_response(
            cast_to=cast_to,
            options=options,
            response=response,
            stream=stream,
            stream_cls=stream_cls,
            retries_taken=retries_taken,
        )


class _AsyncClient(_RaisesForBackgroundFailures, _AsyncClientBase):
    @cached_property
    def responses(self) -> AsyncResponses:
        """openai's `responses` resource, with `poll` and `create_and_poll`."""
        from .resources import AsyncResponses

        return AsyncResponses(cast(Any, self))

    async def _process_response(
        self,
        *,
        cast_to: type[_T],
        options: FinalRequestOptions,
        response: httpx2.Response,
        stream: bool,
        stream_cls: type[Any] | None,
        retries_taken: int = 0,
    ) -> _T:
        if _is_responses_event_stream(stream_cls):
            stream_cls = (
                AsyncCancellingEventStream if self._cancel_abandoned_streams else AsyncBackgroundEventStream
            )
        return await super()._process_response(
            cast_to=cast_to,
            options=options,
            response=response,
            stream=stream,
            stream_cls=stream_cls,
            retries_taken=retries_taken,
        )


class _Described:
    """One client class's `__init__` or `copy` / `with_options`: the shared one, described for introspection.

    `inspect.signature` shows this package's own keywords and then those of the installed
    SDK's method (`stock`), and `typing.get_type_hints` their types, so tools that inspect
    the signature see what the stock client takes (upstream's tests ask
    `get_type_hints(client.copy)` for `workload_identity`, and compare the constructor's
    keywords with `copy()`'s). Built on first access: reading the SDK's type hints costs
    milliseconds that `import` should not pay.
    """

    def __init__(self, stock: Callable[..., Any], shared: Callable[..., Any]) -> None:
        self._stock = stock
        self._shared = shared

    @cached_property
    def _described(self) -> Callable[..., Any]:
        shared = self._shared

        def described(self: Any, **options: Any) -> Any:
            return shared(self, **options)

        update_wrapper(described, shared)
        ours = [
            parameter
            for parameter in inspect.signature(shared).parameters.values()
            if parameter.name != "options"
        ]
        stock = inspect.signature(self._stock)
        described.__signature__ = stock.replace(parameters=[*ours, *list(stock.parameters.values())[1:]])  # type: ignore[attr-defined]
        hints = {name: hint for name, hint in typing.get_type_hints(shared).items() if name != "options"}
        described.__annotations__ = {**hints, **typing.get_type_hints(self._stock)}
        return described

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any:
        return self._described if instance is None else types.MethodType(self._described, instance)


_SHARED_INIT = _RaisesForBackgroundFailures.__init__
_SHARED_COPY = _RaisesForBackgroundFailures._copy  # pyright: ignore[reportPrivateUsage]


class OpenAI(_SyncClient, openai.OpenAI):  # pyright: ignore[reportIncompatibleVariableOverride]
    """`openai.OpenAI` that raises typed errors for the background statuses in `raise_on`."""

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            raise_on: Iterable[str] = DEFAULT_RAISE_ON,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int = DEFAULT_MAX_STREAM_RESUMES,
            wait_for_background: bool = False,
            cancel_abandoned_streams: bool = False,
            **options: Unpack[SyncInitOptions],
        ) -> None: ...

        def copy(
            self,
            *,
            raise_on: Iterable[str] | None = None,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int | None = None,
            wait_for_background: bool | None = None,
            cancel_abandoned_streams: bool | None = None,
            **options: Unpack[SyncCopyOptions],
        ) -> Self: ...

        with_options = copy
    else:
        __init__ = _Described(openai.OpenAI.__init__, _SHARED_INIT)
        copy = with_options = _Described(openai.OpenAI.copy, _SHARED_COPY)


class AsyncOpenAI(_AsyncClient, openai.AsyncOpenAI):  # pyright: ignore[reportIncompatibleVariableOverride]
    """`openai.AsyncOpenAI` that raises typed errors for the background statuses in `raise_on`."""

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            raise_on: Iterable[str] = DEFAULT_RAISE_ON,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int = DEFAULT_MAX_STREAM_RESUMES,
            wait_for_background: bool = False,
            cancel_abandoned_streams: bool = False,
            **options: Unpack[AsyncInitOptions],
        ) -> None: ...

        def copy(
            self,
            *,
            raise_on: Iterable[str] | None = None,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int | None = None,
            wait_for_background: bool | None = None,
            cancel_abandoned_streams: bool | None = None,
            **options: Unpack[AsyncCopyOptions],
        ) -> Self: ...

        with_options = copy
    else:
        __init__ = _Described(openai.AsyncOpenAI.__init__, _SHARED_INIT)
        copy = with_options = _Described(openai.AsyncOpenAI.copy, _SHARED_COPY)


class AzureOpenAI(_SyncClient, openai.AzureOpenAI):  # pyright: ignore[reportIncompatibleVariableOverride]
    """`openai.AzureOpenAI` that raises typed errors for the background statuses in `raise_on`."""

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            raise_on: Iterable[str] = DEFAULT_RAISE_ON,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int = DEFAULT_MAX_STREAM_RESUMES,
            wait_for_background: bool = False,
            cancel_abandoned_streams: bool = False,
            **options: Unpack[AzureInitOptions],
        ) -> None: ...

        def copy(
            self,
            *,
            raise_on: Iterable[str] | None = None,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int | None = None,
            wait_for_background: bool | None = None,
            cancel_abandoned_streams: bool | None = None,
            **options: Unpack[AzureCopyOptions],
        ) -> Self: ...

        with_options = copy
    else:
        __init__ = _Described(openai.AzureOpenAI.__init__, _SHARED_INIT)
        copy = with_options = _Described(openai.AzureOpenAI.copy, _SHARED_COPY)


class AsyncAzureOpenAI(_AsyncClient, openai.AsyncAzureOpenAI):  # pyright: ignore[reportIncompatibleVariableOverride]
    """`openai.AsyncAzureOpenAI` that raises typed errors for the background statuses in `raise_on`."""

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            raise_on: Iterable[str] = DEFAULT_RAISE_ON,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int = DEFAULT_MAX_STREAM_RESUMES,
            wait_for_background: bool = False,
            cancel_abandoned_streams: bool = False,
            **options: Unpack[AsyncAzureInitOptions],
        ) -> None: ...

        def copy(
            self,
            *,
            raise_on: Iterable[str] | None = None,
            error_registry: ErrorRegistry | None = None,
            max_stream_resumes: int | None = None,
            wait_for_background: bool | None = None,
            cancel_abandoned_streams: bool | None = None,
            **options: Unpack[AsyncAzureCopyOptions],
        ) -> Self: ...

        with_options = copy
    else:
        __init__ = _Described(openai.AsyncAzureOpenAI.__init__, _SHARED_INIT)
        copy = with_options = _Described(openai.AsyncAzureOpenAI.copy, _SHARED_COPY)


_AnyClient = OpenAI | AsyncOpenAI | AzureOpenAI | AsyncAzureOpenAI

# Most specific first: the Azure clients subclass the plain ones.
_ENABLED: tuple[tuple[type[Any], type[_RaisesForBackgroundFailures]], ...] = (
    (openai.AsyncAzureOpenAI, AsyncAzureOpenAI),
    (openai.AzureOpenAI, AzureOpenAI),
    (openai.AsyncOpenAI, AsyncOpenAI),
    (openai.OpenAI, OpenAI),
)


# The Azure overloads come first: openai's Azure clients subclass its plain ones.
@overload
def enable(  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    client: openai.AsyncAzureOpenAI,
    *,
    raise_on: Iterable[str] = ...,
    error_registry: ErrorRegistry | None = ...,
    max_stream_resumes: int = ...,
    wait_for_background: bool = ...,
    cancel_abandoned_streams: bool = ...,
) -> AsyncAzureOpenAI: ...
@overload
def enable(  # type: ignore[overload-overlap]  # pyright: ignore[reportOverlappingOverload]
    client: openai.AzureOpenAI,
    *,
    raise_on: Iterable[str] = ...,
    error_registry: ErrorRegistry | None = ...,
    max_stream_resumes: int = ...,
    wait_for_background: bool = ...,
    cancel_abandoned_streams: bool = ...,
) -> AzureOpenAI: ...
@overload
def enable(
    client: openai.AsyncOpenAI,
    *,
    raise_on: Iterable[str] = ...,
    error_registry: ErrorRegistry | None = ...,
    max_stream_resumes: int = ...,
    wait_for_background: bool = ...,
    cancel_abandoned_streams: bool = ...,
) -> AsyncOpenAI: ...
@overload
def enable(
    client: openai.OpenAI,
    *,
    raise_on: Iterable[str] = ...,
    error_registry: ErrorRegistry | None = ...,
    max_stream_resumes: int = ...,
    wait_for_background: bool = ...,
    cancel_abandoned_streams: bool = ...,
) -> OpenAI: ...
def enable(
    client: openai.OpenAI | openai.AsyncOpenAI,
    *,
    raise_on: Iterable[str] = DEFAULT_RAISE_ON,
    error_registry: ErrorRegistry | None = None,
    max_stream_resumes: int = DEFAULT_MAX_STREAM_RESUMES,
    wait_for_background: bool = False,
    cancel_abandoned_streams: bool = False,
) -> _AnyClient:
    """A client that behaves like this package's, with the settings and connection pool of `client`.

    `client` itself is left as it was.
    """
    policy = RaisePolicy.of(raise_on, error_registry)
    if isinstance(client, _RaisesForBackgroundFailures):
        enabled = _RaisesForBackgroundFailures._copy(  # pyright: ignore[reportPrivateUsage]
            client,
            raise_on=policy.raise_on,
            error_registry=policy.registry,
            max_stream_resumes=max_stream_resumes,
            wait_for_background=wait_for_background,
            cancel_abandoned_streams=cancel_abandoned_streams,
        )
        return cast("_AnyClient", enabled)
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
    prototype._configure(  # pyright: ignore[reportPrivateUsage]
        policy,
        max_stream_resumes,
        wait_for_background=wait_for_background,
        cancel_abandoned_streams=cancel_abandoned_streams,
    )
    return cast("_AnyClient", prototype._copy())  # pyright: ignore[reportPrivateUsage]
