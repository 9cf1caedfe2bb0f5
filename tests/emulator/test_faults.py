"""Scripted poll faults: what the stock SDK does with them, counted on the server."""

from __future__ import annotations

import httpx2
import openai
import pytest

from .conftest import job_stats, script


def background_job(client: openai.OpenAI, faults: str) -> str:
    created = client.responses.create(
        model="gpt-test",
        input="hi",
        background=True,
        metadata=script(poll_faults=faults, queue_ms="0", run_ms="0"),
    )
    return created.id


@pytest.mark.parametrize("faults", ["500", "429", "reset", "500,429", "429,500"])
def test_the_sdk_retries_through_up_to_two_faults(
    client: openai.OpenAI, background_api: str, faults: str
) -> None:
    response_id = background_job(client, faults)
    response = client.responses.retrieve(response_id)
    assert response.status == "completed"
    stats = job_stats(background_api, response_id)
    assert stats["polls"] == faults.count(",") + 2
    assert stats["faults"] == faults.split(",")


def test_three_500s_exhaust_the_default_retries(client: openai.OpenAI, background_api: str) -> None:
    response_id = background_job(client, "500,500,500")
    with pytest.raises(openai.InternalServerError) as caught:
        client.responses.retrieve(response_id)
    assert caught.value.status_code == 500
    assert caught.value.request_id is not None
    assert job_stats(background_api, response_id)["polls"] == 3
    assert client.responses.retrieve(response_id).status == "completed"


def test_a_429_without_retries_is_a_rate_limit_error(client: openai.OpenAI) -> None:
    response_id = background_job(client, "429")
    with pytest.raises(openai.RateLimitError) as caught:
        client.with_options(max_retries=0).responses.retrieve(response_id)
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.response.headers["x-request-id"].startswith("req_emu_")


def test_a_reset_without_retries_is_a_connection_error(client: openai.OpenAI, background_api: str) -> None:
    response_id = background_job(client, "reset")
    with pytest.raises(openai.APIConnectionError) as caught:
        client.with_options(max_retries=0).responses.retrieve(response_id)
    assert type(caught.value) is openai.APIConnectionError
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    assert job_stats(background_api, response_id)["polls"] == 1


async def test_async_client_retries_too(async_client: openai.AsyncOpenAI, background_api: str) -> None:
    created = await async_client.responses.create(
        model="gpt-test",
        input="hi",
        background=True,
        metadata=script(poll_faults="429,500", queue_ms="0", run_ms="0"),
    )
    assert (await async_client.responses.retrieve(created.id)).status == "completed"
    assert job_stats(background_api, created.id)["polls"] == 3


def test_faults_apply_to_polls_not_to_streams(client: openai.OpenAI, background_api: str) -> None:
    response_id = background_job(client, "500")
    with client.responses.retrieve(response_id, stream=True) as stream:
        assert list(stream)[-1].type == "response.completed"
    assert job_stats(background_api, response_id)["faults"] == []
