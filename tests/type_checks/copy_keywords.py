"""What type checkers say about the clients' `copy()` / `with_options()` (`scripts/lint` checks it).

Not run, only checked. Each line that must be an error carries a `type: ignore`; mypy strict
reports one that is not needed (`warn_unused_ignores`), and so does pyright in this file
(`reportUnnecessaryTypeIgnoreComment`). A line here that stopped being an error fails the
lint, as does an error on a line that must pass.
"""
# pyright: reportUnnecessaryTypeIgnoreComment=true

from __future__ import annotations

import httpx2

from openai_background_errors import AsyncAzureOpenAI, AsyncOpenAI, AzureOpenAI, ErrorRegistry, OpenAI


def stock_and_own_keywords_pass(
    client: OpenAI, async_client: AsyncOpenAI, azure: AzureOpenAI, async_azure: AsyncAzureOpenAI
) -> None:
    copied: OpenAI = client.copy(
        timeout=5, max_retries=1, raise_on=("failed",), error_registry=ErrorRegistry()
    )
    client.with_options(http_client=httpx2.Client(), default_headers={"x": "y"}, max_stream_resumes=0)
    client.with_options(wait_for_background=True)
    async_client.with_options(http_client=httpx2.AsyncClient(), organization="org")
    azure.copy(api_version="2025-01-01", azure_ad_token="token")
    async_azure.with_options(azure_ad_token_provider=lambda: "token")
    assert copied.max_stream_resumes == 0 or copied.max_stream_resumes > 0


def misspelled_or_mistyped_keywords_fail(
    client: OpenAI, async_client: AsyncOpenAI, azure: AzureOpenAI, async_azure: AsyncAzureOpenAI
) -> None:
    client.with_options(timout=5)  # type: ignore[call-arg]
    client.copy(max_retrys=1)  # type: ignore[call-arg]
    async_client.with_options(raise_om=("failed",))  # type: ignore[call-arg]
    azure.with_options(api_verison="2025-01-01")  # type: ignore[call-arg]
    async_azure.copy(timeout="5")  # type: ignore[arg-type]
    # A sync client's copy takes a sync HTTP client, and only Azure clients take Azure keywords.
    client.with_options(http_client=httpx2.AsyncClient())  # type: ignore[arg-type]
    client.copy(api_version="2025-01-01")  # type: ignore[call-arg]


def constructors_take_the_stock_keywords_and_ours() -> None:
    OpenAI(api_key="sk", timeout=5, max_retries=1, http_client=httpx2.Client(), wait_for_background=True)
    AsyncOpenAI(api_key="sk", http_client=httpx2.AsyncClient(), raise_on=("failed",), max_stream_resumes=1)
    AzureOpenAI(api_version="2025-01-01", azure_endpoint="https://x", error_registry=ErrorRegistry())
    AsyncAzureOpenAI(api_version="2025-01-01", azure_ad_token_provider=lambda: "token")


def misspelled_or_mistyped_constructor_keywords_fail() -> None:
    OpenAI(api_kee="x")  # type: ignore[call-arg]
    AsyncOpenAI(max_retries="2")  # type: ignore[arg-type]
    OpenAI(wait_for_backgruond=True)  # type: ignore[call-arg]
    OpenAI(http_client=httpx2.AsyncClient())  # type: ignore[arg-type]
    OpenAI(api_version="2025-01-01")  # type: ignore[call-arg]
    AzureOpenAI(azure_endpont="https://x")  # type: ignore[call-arg]
