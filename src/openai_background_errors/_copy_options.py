"""The keywords of openai's constructors and `copy()` / `with_options()`, so the clients' own stay typed.

The clients take this package's own keywords (`raise_on`, `error_registry`,
`max_stream_resumes`, `wait_for_background`) besides the stock ones, and hand the stock
ones on untouched, so a misspelled keyword must stay a type error, as it is on the stock
client. These are the stock keywords of the newest openai the project supports (3.63.0); on
an older SDK a keyword it does not know is refused by its own constructor or `copy()`.

`tests/test_copy_signature.py` fails when the installed SDK's constructor or `copy()`
takes a keyword missing here, or types one differently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typing_extensions import TypedDict

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    import httpx2
    from openai import NotGiven, Timeout
    from openai._data_residency import DataResidency
    from openai._provider import _Provider  # pyright: ignore[reportPrivateUsage]
    from openai.auth import WorkloadIdentity, X509WorkloadIdentity
    from openai.lib.azure import AsyncAzureADTokenProvider, AzureADTokenProvider

__all__ = [
    "AsyncAzureCopyOptions",
    "AsyncAzureInitOptions",
    "AsyncCopyOptions",
    "AsyncInitOptions",
    "AzureCopyOptions",
    "AzureInitOptions",
    "SyncCopyOptions",
    "SyncInitOptions",
]


class _CopyOptions(TypedDict, total=False):
    """The keywords the four clients share."""

    admin_api_key: str | None
    workload_identity: WorkloadIdentity | X509WorkloadIdentity | None
    provider: _Provider | NotGiven | None
    organization: str | None
    project: str | None
    webhook_secret: str | None
    websocket_base_url: str | httpx2.URL | None
    base_url: str | httpx2.URL | NotGiven | None
    data_residency: DataResidency | None
    timeout: float | Timeout | NotGiven | None
    max_retries: int | NotGiven
    default_headers: Mapping[str, str] | None
    set_default_headers: Mapping[str, str] | None
    default_query: Mapping[str, object] | None
    set_default_query: Mapping[str, object] | None
    _enforce_credentials: bool | None
    _extra_kwargs: Mapping[str, Any]


class SyncCopyOptions(_CopyOptions, total=False):
    """`openai.OpenAI.copy()`'s keywords."""

    api_key: str | Callable[[], str] | None
    http_client: httpx2.Client | None


class AsyncCopyOptions(_CopyOptions, total=False):
    """`openai.AsyncOpenAI.copy()`'s keywords."""

    api_key: str | Callable[[], Awaitable[str]] | None
    http_client: httpx2.AsyncClient | None


class AzureCopyOptions(SyncCopyOptions, total=False):
    """`openai.AzureOpenAI.copy()`'s keywords."""

    api_version: str | None
    azure_ad_token: str | None
    azure_ad_token_provider: AzureADTokenProvider | None


class AsyncAzureCopyOptions(AsyncCopyOptions, total=False):
    """`openai.AsyncAzureOpenAI.copy()`'s keywords."""

    api_version: str | None
    azure_ad_token: str | None
    azure_ad_token_provider: AsyncAzureADTokenProvider | None


class _InitOptions(TypedDict, total=False):
    """The constructor keywords the four clients share."""

    admin_api_key: str | None
    workload_identity: WorkloadIdentity | X509WorkloadIdentity | None
    organization: str | None
    project: str | None
    webhook_secret: str | None
    websocket_base_url: str | httpx2.URL | None
    timeout: float | Timeout | NotGiven | None
    max_retries: int
    default_headers: Mapping[str, str] | None
    default_query: Mapping[str, object] | None
    _strict_response_validation: bool
    _enforce_credentials: bool


class SyncInitOptions(_InitOptions, total=False):
    """`openai.OpenAI()`'s keywords."""

    api_key: str | Callable[[], str] | None
    provider: _Provider | None
    base_url: str | httpx2.URL | NotGiven | None
    data_residency: DataResidency | None
    http_client: httpx2.Client | None


class AsyncInitOptions(_InitOptions, total=False):
    """`openai.AsyncOpenAI()`'s keywords."""

    api_key: str | Callable[[], Awaitable[str]] | None
    provider: _Provider | None
    base_url: str | httpx2.URL | NotGiven | None
    data_residency: DataResidency | None
    http_client: httpx2.AsyncClient | None


class _AzureInitOptions(_InitOptions, total=False):
    """The constructor keywords the two Azure clients share (either of the stock overloads')."""

    api_version: str | None
    azure_endpoint: str | None
    azure_deployment: str | None
    azure_ad_token: str | None
    base_url: str | None


class AzureInitOptions(_AzureInitOptions, total=False):
    """`openai.AzureOpenAI()`'s keywords."""

    api_key: str | Callable[[], str] | None
    azure_ad_token_provider: AzureADTokenProvider | None
    http_client: httpx2.Client | None


class AsyncAzureInitOptions(_AzureInitOptions, total=False):
    """`openai.AsyncAzureOpenAI()`'s keywords."""

    api_key: str | Callable[[], Awaitable[str]] | None
    azure_ad_token_provider: AsyncAzureADTokenProvider | None
    http_client: httpx2.AsyncClient | None
