"""Acceptance checks for the fork, run in a fresh virtual environment that holds only the installed fork.

    python upstream/smoke.py <expected openai.__version__>

Over `httpx2.MockTransport`: `retrieve()` is unchanged; `raise_for_status` raises with the
code, request id and `retryable`; `poll` and `create_and_poll` (the codegen diffs' methods) return
a failed response; a failed foreground stream iterates and `until_done()`s as before while
`get_final_response()` raises the typed `RuntimeError`; an `error` event with nested fields raises
`APIError` while iterating; a code the SDK does not declare is kept; `openai` exports the
four classes. Prints one line per check; exits non-zero when one fails.
"""

from __future__ import annotations

import sys
import json
from typing import Any, Callable
from collections import deque

import httpx2

import openai
from openai.lib import raise_for_status

RESPONSE_ID = "resp_smoke"
REQUEST_ID = "req_smoke"


def body(status: str, code: str | None = None) -> dict[str, Any]:
    return {
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": 1,
        "model": "gpt-smoke",
        "background": True,
        "status": status,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "error": {"code": code, "message": "smoke"} if status == "failed" else None,
    }


def answer(payload: dict[str, Any]) -> httpx2.Response:
    return httpx2.Response(200, json=payload, headers={"x-request-id": REQUEST_ID})


def sse(*events: dict[str, Any]) -> httpx2.Response:
    text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    headers = {"content-type": "text/event-stream", "x-request-id": REQUEST_ID}
    return httpx2.Response(200, content=text.encode(), headers=headers)


def client(*answers: httpx2.Response) -> openai.OpenAI:
    queue = deque(answers)
    transport = httpx2.MockTransport(lambda _request: queue.popleft())
    return openai.OpenAI(
        api_key="fake-smoke-key",
        base_url="https://example.test/v1",
        max_retries=0,
        http_client=httpx2.Client(transport=transport, trust_env=False),
    )


def raised(call: Callable[[], object]) -> BaseException | None:
    try:
        call()
    except Exception as exc:
        return exc
    return None


def main(expected_version: str) -> int:
    failures = 0

    def check(name: str, ok: bool) -> None:
        nonlocal failures
        failures += not ok
        sys.stdout.write(f"{'ok' if ok else 'FAIL'}: {name}\n")

    check(f"openai {openai.__version__} is the fork {expected_version}", openai.__version__ == expected_version)

    with client(answer(body("failed", "server_error"))) as c:
        response = c.responses.retrieve(RESPONSE_ID)
        check("retrieve() returns a failed response, as before", response.status == "failed")
        error = raised(lambda: raise_for_status(response))
        check(
            "raise_for_status raises with code, request id and retryable",
            type(error) is openai.BackgroundResponseFailedError
            and (error.code, error.request_id, error.retryable) == ("server_error", REQUEST_ID, True),
        )

    with client(answer(body("failed", "sandbox_session_expired"))) as c:
        error = raised(lambda: raise_for_status(c.responses.retrieve(RESPONSE_ID)))
        check(
            "a code the SDK does not declare is kept",
            type(error) is openai.BackgroundResponseFailedError and error.code == "sandbox_session_expired",
        )

    with client(answer(body("in_progress")), answer(body("failed", "invalid_prompt"))) as c:
        polled = c.responses.poll(RESPONSE_ID, poll_interval_ms=0)
        check("poll returns the failed response", polled.status == "failed")
    with client(answer(body("queued")), answer(body("failed", "invalid_prompt"))) as c:
        created = c.responses.create_and_poll(model="gpt-smoke", input="hi", poll_interval_ms=0)
        check("create_and_poll returns the failed response", created.status == "failed")

    events = [
        {"type": "response.created", "sequence_number": 0, "response": body("in_progress")},
        {"type": "error", "sequence_number": 1, "code": "rate_limit_exceeded", "message": "smoke", "param": None},
        {"type": "response.failed", "sequence_number": 2, "response": body("failed", "rate_limit_exceeded")},
    ]
    with client(sse(*events)) as c:
        with c.responses.stream(model="gpt-smoke", input="hi") as stream:
            seen = [event.type for event in stream]
            check("a failed foreground stream yields every event", seen == [e["type"] for e in events])
            check("until_done() returns", stream.until_done() is stream)
            error = raised(stream.get_final_response)
            check(
                "get_final_response() raises the typed RuntimeError",
                type(error) is openai.BackgroundResponseFailedError
                and error.code == "rate_limit_exceeded"
                and isinstance(error, RuntimeError)
                and str(error).startswith("Didn't receive a `response.completed` event."),
            )

    nested = {"type": "too_many_requests", "code": "too_many_requests", "message": "Too Many Requests", "param": None}
    with client(sse(events[0], {"type": "error", "sequence_number": 1, "error": nested})) as c:
        with c.responses.stream(model="gpt-smoke", input="hi") as stream:
            error = raised(lambda: list(stream))
            check(
                "an error event with nested fields raises APIError while iterating",
                type(error) is openai.APIError and error.code == "too_many_requests",
            )

    family = ("BackgroundResponseError", "BackgroundResponseFailedError", "BackgroundResponseIncompleteError")
    family += ("BackgroundResponseCancelledError",)
    check("openai exports the four classes", all(name in openai.__all__ for name in family))

    sys.stdout.write(f"openai {openai.__version__} from {openai.__file__}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
