"""Background jobs polled to their scripted fate with the stock ``openai`` client."""

from __future__ import annotations

import time
from typing import Any, cast

import httpx2
import openai
import pytest
from openai.types.responses import Response

from .conftest import job_stats, script, validate_response


def poll_to_end(client: openai.OpenAI, response_id: str) -> tuple[Response, int]:
    """Poll until terminal, checking every answer's headers and body; return it and the poll count."""
    polls = 0
    seen_ids: set[str] = set()
    while True:
        raw = client.responses.with_raw_response.retrieve(response_id)
        polls += 1
        request_id = raw.headers["x-request-id"]
        assert request_id.startswith("req_emu_")
        assert request_id not in seen_ids
        seen_ids.add(request_id)
        response = validate_response(raw.http_response.json())
        if response.status not in ("queued", "in_progress"):
            assert "openai-poll-after-ms" not in raw.headers
            assert raw.parse().status == response.status
            return response, polls
        assert raw.headers["openai-poll-after-ms"] == "15"
        time.sleep(int(raw.headers["openai-poll-after-ms"]) / 1000)


@pytest.mark.parametrize(
    ("outcome", "status", "code", "reason"),
    [
        ("completed", "completed", None, None),
        ("failed:server_error", "failed", "server_error", None),
        ("failed:rate_limit_exceeded", "failed", "rate_limit_exceeded", None),
        ("failed:invalid_prompt", "failed", "invalid_prompt", None),
        ("failed", "failed", None, None),
        ("incomplete:max_output_tokens", "incomplete", None, "max_output_tokens"),
        ("incomplete:content_filter", "incomplete", None, "content_filter"),
        ("incomplete", "incomplete", None, None),
    ],
)
def test_each_fate(
    client: openai.OpenAI, outcome: str, status: str, code: str | None, reason: str | None
) -> None:
    created = client.responses.with_raw_response.create(
        model="gpt-test", input="hi", background=True, metadata=script(outcome=outcome, run_ms="600")
    )
    assert created.headers["x-request-id"].startswith("req_emu_")
    first = validate_response(created.http_response.json())
    assert first.status == "queued"
    assert first.background is True
    final, polls = poll_to_end(client, first.id)
    assert polls >= 2  # it was seen unfinished first (the run lasts 40 polling intervals)
    assert final.status == status
    assert final.id == first.id
    if status == "failed":
        assert (final.error.code if final.error else None) == code
        assert final.output == []
    if status == "incomplete":
        assert final.incomplete_details is not None
        assert final.incomplete_details.reason == reason
    if status == "completed":
        assert final.output_text == "Hello from the local emulator."
        assert final.error is None
        assert final.completed_at is not None


def test_unknown_code_is_kept_verbatim(client: openai.OpenAI) -> None:
    created = client.responses.create(
        model="gpt-test", input="hi", background=True, metadata=script(outcome="failed:insufficient_quota")
    )
    time.sleep(0.1)
    raw = client.responses.with_raw_response.retrieve(created.id)
    assert raw.http_response.json()["error"]["code"] == "insufficient_quota"
    final = raw.parse()
    assert final.error is not None
    assert final.error.code == "insufficient_quota"  # type: ignore[comparison-overlap]


def test_other_metadata_and_parameters_are_echoed(client: openai.OpenAI) -> None:
    metadata = {**script(), "team": "billing"}
    created = client.responses.create(
        model="gpt-custom",
        input="hi",
        background=True,
        metadata=metadata,
        instructions="Be brief.",
        temperature=0.5,
    )
    assert created.metadata == metadata
    assert created.model == "gpt-custom"
    assert created.instructions == "Be brief."
    assert created.temperature == 0.5


def test_foreground_create_answers_the_terminal_response(client: openai.OpenAI) -> None:
    started = time.monotonic()
    raw = client.responses.with_raw_response.create(
        model="gpt-test", input="hi", metadata=script(outcome="failed:server_error")
    )
    assert time.monotonic() - started >= 0.08
    response = validate_response(raw.http_response.json())
    assert response.status == "failed"
    assert response.background is False
    assert "openai-poll-after-ms" not in raw.headers
    with pytest.raises(openai.BadRequestError, match="synchronous"):
        client.responses.cancel(response.id)


def test_unknown_response_is_a_404_in_the_api_shape(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve("resp_missing")
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req_emu_")
    assert caught.value.body == {
        "message": "No response found with id 'resp_missing'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.NotFoundError):
        client.responses.cancel("resp_missing")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("emulator.colour", "red"),
        ("emulator.outcome", "exploded"),
        ("emulator.outcome", "failed:"),
        ("emulator.queue_ms", "soon"),
        ("emulator.run_ms", "-5"),
        ("emulator.poll_after_ms", "1e3"),
        ("emulator.drop_stream_after", "2x0"),
        ("emulator.poll_faults", "500,teapot"),
    ],
)
def test_bad_script_is_a_400_naming_the_key(client: openai.OpenAI, key: str, value: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model="gpt-test", input="hi", background=True, metadata={key: value})
    assert key in caught.value.message
    body = cast("dict[str, Any]", caught.value.body)
    assert set(body) == {"message", "type", "param", "code"}
    assert body["type"] == "invalid_request_error"
    assert caught.value.request_id is not None


def test_cancel(client: openai.OpenAI, background_api: str) -> None:
    created = client.responses.create(
        model="gpt-test", input="hi", background=True, metadata=script(queue_ms="0", run_ms="5000")
    )
    raw = client.responses.with_raw_response.cancel(created.id)
    assert raw.headers["x-request-id"].startswith("req_emu_")
    assert validate_response(raw.http_response.json()).status == "cancelled"
    again = client.responses.with_raw_response.retrieve(created.id)
    assert again.parse().status == "cancelled"
    assert "openai-poll-after-ms" not in again.headers
    assert client.responses.cancel(created.id).status == "cancelled"
    assert job_stats(background_api, created.id)["cancels"] == 2


def test_cancel_after_the_end_changes_nothing(client: openai.OpenAI) -> None:
    created = client.responses.create(
        model="gpt-test", input="hi", background=True, metadata=script(queue_ms="0", run_ms="0")
    )
    assert client.responses.cancel(created.id).status == "completed"


@pytest.mark.parametrize(
    ("method", "path", "body", "param"),
    [
        ("POST", "/responses", {"model": "m", "background": "yes"}, "background"),
        ("POST", "/responses", {"model": "m", "stream": 1}, "stream"),
        ("POST", "/responses", {"model": 5}, "model"),
        (
            "POST",
            "/responses",
            {"model": "m", "metadata": {"emulator.run_ms": 5}},
            "metadata.emulator.run_ms",
        ),
        ("POST", "/responses", {"model": "m", "metadata": ["x"]}, "metadata"),
        ("POST", "/responses", {"model": "m", "metadata": {f"k{n}": "v" for n in range(17)}}, "metadata"),
        ("POST", "/responses", [1, 2], None),
    ],
)
def test_malformed_requests_are_400s(
    background_api: str, method: str, path: str, body: object, param: str | None
) -> None:
    answer = httpx2.request(method, f"{background_api}{path}", json=body)
    assert answer.status_code == 400
    assert answer.headers["x-request-id"].startswith("req_emu_")
    error = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["param"] == param


def test_bad_starting_after_and_bad_json(client: openai.OpenAI, background_api: str) -> None:
    created = client.responses.create(model="gpt-test", input="hi", background=True, metadata=script())
    for value in ("-2", "two"):
        answer = httpx2.get(f"{background_api}/responses/{created.id}?stream=true&starting_after={value}")
        assert answer.status_code == 400
        assert answer.json()["error"]["param"] == "starting_after"
    answer = httpx2.post(f"{background_api}/responses", content=b"{not json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_json"
