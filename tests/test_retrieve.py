"""`responses.retrieve` of the project's clients: plain, raw and streaming paths, sync and async."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import openai
import pytest

import openai_background_errors as obe

from .conftest import BASE_URL, Server, make_client, resolve, response_body


async def _plain(client: Any, response_id: str) -> Any:
    return await resolve(client.responses.retrieve(response_id))


async def _raw(client: Any, response_id: str) -> Any:
    raw = await resolve(client.responses.with_raw_response.retrieve(response_id))
    return raw.parse()


async def _streaming(client: Any, response_id: str) -> Any:
    manager = client.responses.with_streaming_response.retrieve(response_id)
    if hasattr(manager, "__aenter__"):
        async with manager as response:
            return await response.parse()
    with manager as response:
        return response.parse()


PATHS = {"plain": _plain, "raw": _raw, "streaming": _streaming}


@pytest.mark.parametrize("path", PATHS)
async def test_every_path_raises_the_same_error_with_its_request_id(
    server: Server, is_async: bool, path: str
) -> None:
    body = response_body("failed_rate_limit_exceeded")
    server.json(body, headers={"x-request-id": "req_poll_42"})
    client = make_client(server, is_async=is_async)

    with pytest.raises(obe.BackgroundRateLimitError) as caught:
        await PATHS[path](client, body["id"])

    error = caught.value
    assert (error.code, error.message, error.request_id, error.response_id) == (
        "rate_limit_exceeded",
        body["error"]["message"],
        "req_poll_42",
        body["id"],
    )
    assert error.response is not None and error.response.status == "failed"
    assert error.retryable
    assert [(r.method, r.url.path) for r in server.requests] == [("GET", f"/v1/responses/{body['id']}")]


@pytest.mark.parametrize("path", PATHS)
async def test_completed_response_passes_through_untouched(server: Server, is_async: bool, path: str) -> None:
    body = response_body("completed")
    server.json(body, headers={"x-request-id": "req_ok"})
    client = make_client(server, is_async=is_async)

    response = await PATHS[path](client, body["id"])

    assert response.model_dump(mode="json", exclude_unset=True) == body
    assert response._request_id == "req_ok"


@pytest.mark.parametrize(
    ("name", "raise_on", "expected"),
    [
        ("incomplete_max_output_tokens", ("failed",), None),
        ("incomplete_max_output_tokens", ("failed", "incomplete"), obe.BackgroundMaxOutputTokensError),
        ("cancelled", ("failed",), None),
        ("cancelled", ("cancelled",), obe.BackgroundResponseCancelledError),
        ("failed_server_error", ("incomplete",), None),
        ("failed_null_error", ("failed",), obe.BackgroundResponseFailedError),
        ("queued", ("failed", "incomplete", "cancelled"), None),
        ("unknown_status", ("failed", "incomplete", "cancelled"), None),
    ],
)
async def test_raise_on_decides_which_statuses_raise(
    server: Server, is_async: bool, name: str, raise_on: tuple[str, ...], expected: type[Exception] | None
) -> None:
    body = response_body(name)
    server.json(body)
    client = make_client(server, is_async=is_async, raise_on=raise_on)

    if expected is None:
        assert (await _plain(client, body["id"])).status == body["status"]
    else:
        with pytest.raises(expected):
            await _plain(client, body["id"])


async def test_registering_a_code_at_run_time_changes_what_retrieve_raises(
    server: Server, is_async: bool
) -> None:
    registry = obe.ErrorRegistry()
    body = response_body("failed_unknown_future_code")
    server.json(body).json(body)
    client = make_client(server, is_async=is_async, error_registry=registry)

    with pytest.raises(obe.BackgroundResponseFailedError) as before:
        await _plain(client, body["id"])
    assert type(before.value) is obe.BackgroundResponseFailedError

    @registry.register("sandbox_session_expired")
    class SandboxExpired(obe.BackgroundResponseFailedError):
        retryable = True

    with pytest.raises(SandboxExpired) as after:
        await _plain(client, body["id"])
    assert after.value.code == "sandbox_session_expired"
    assert obe.is_retryable(after.value)


def test_http_errors_stay_the_sdks_own(server: Server) -> None:
    server.json({"error": {"message": "nope", "type": "invalid_request_error", "code": None}}, status=404)
    client = make_client(server, is_async=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_missing")


def test_copy_and_with_options_keep_the_settings(server: Server) -> None:
    registry = obe.ErrorRegistry()
    client = make_client(server, is_async=False, raise_on=("incomplete",), error_registry=registry)

    for copied in (client.copy(), client.with_options(timeout=5)):
        assert type(copied) is obe.OpenAI
        assert copied.raise_on == {"incomplete"}
        assert copied.error_registry is registry

    changed = client.copy(raise_on=("failed", "cancelled"))
    assert changed.raise_on == {"failed", "cancelled"}
    assert changed.error_registry is registry


def _stock_openai(http_client: httpx2.Client) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", base_url=BASE_URL, http_client=http_client)


def _stock_azure(http_client: httpx2.Client) -> openai.OpenAI:
    return openai.AzureOpenAI(
        api_key="sk-test",
        api_version="2025-04-01-preview",
        azure_endpoint="https://x.example",
        http_client=http_client,
    )


@pytest.mark.parametrize(("stock", "ours"), [(_stock_openai, obe.OpenAI), (_stock_azure, obe.AzureOpenAI)])
def test_enable_wraps_a_client_the_user_already_holds(
    server: Server, stock: Callable[[httpx2.Client], openai.OpenAI], ours: type[obe.OpenAI | obe.AzureOpenAI]
) -> None:
    http_client = httpx2.Client(transport=server.transport)
    original = stock(http_client)
    enabled = obe.enable(original, raise_on=("failed", "incomplete"))

    assert type(enabled) is ours
    assert enabled.raise_on == {"failed", "incomplete"}
    assert enabled._client is original._client  # the same connection pool  # pyright: ignore[reportPrivateUsage]
    assert (enabled.base_url, enabled.api_key, enabled.max_retries) == (
        original.base_url,
        original.api_key,
        original.max_retries,
    )
    body = response_body("failed_server_error")
    server.json(body).json(body)
    with pytest.raises(obe.BackgroundServerError):
        enabled.responses.retrieve(body["id"])
    # The original is left as it was.
    assert original.responses.retrieve(body["id"]).status == "failed"


async def test_enable_async_client(server: Server) -> None:
    original = openai.AsyncOpenAI(
        api_key="sk-test", base_url=BASE_URL, http_client=httpx2.AsyncClient(transport=server.transport)
    )
    enabled = obe.enable(original)
    assert type(enabled) is obe.AsyncOpenAI
    body = response_body("failed_invalid_prompt")
    server.json(body)
    with pytest.raises(obe.BackgroundInvalidPromptError):
        await enabled.responses.retrieve(body["id"])


def test_bad_settings_are_named() -> None:
    with pytest.raises(ValueError, match=r"unknown statuses \['done'\]"):
        obe.OpenAI(api_key="sk-test", raise_on=("failed", "done"))
    with pytest.raises(TypeError, match="collection of statuses"):
        obe.OpenAI(api_key="sk-test", raise_on="failed")
    with pytest.raises(TypeError, match=r"not .*MyClient; subclass"):

        class MyClient(openai.OpenAI):
            pass

        obe.enable(MyClient(api_key="sk-test"))


def test_copy_keeps_max_stream_resumes(server: Server) -> None:
    client: obe.OpenAI = make_client(server, is_async=False, max_stream_resumes=7)
    assert client.copy().max_stream_resumes == 7
    assert client.with_options(timeout=1).max_stream_resumes == 7
    assert client.copy(max_stream_resumes=0).max_stream_resumes == 0
    assert obe.enable(client).max_stream_resumes == 3  # enable() applies the keywords it is given
    with pytest.raises(ValueError, match="max_stream_resumes"):
        client.copy(max_stream_resumes=-1)
