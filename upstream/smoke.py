"""Smoke test of the fork's wheel, run in a fresh virtual environment holding only the wheel and its dependencies.

Over `httpx2.MockTransport`: the opted-in retrieve path raises the typed error with
its code and request id, the stream helper raises it, `poll` raises it, and a
completed response passes untouched. Prints one line per check; exits non-zero
when one fails.
"""

from __future__ import annotations

import sys
import json
from typing import Any
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
        "incomplete_details": None,
    }


def answer(payload: dict[str, Any]) -> httpx2.Response:
    return httpx2.Response(200, json=payload, headers={"x-request-id": REQUEST_ID})


def sse(*events: dict[str, Any]) -> httpx2.Response:
    text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return httpx2.Response(200, content=text.encode(), headers={"content-type": "text/event-stream"})


def client(*answers: httpx2.Response) -> openai.OpenAI:
    queue = deque(answers)
    transport = httpx2.MockTransport(lambda _request: queue.popleft())
    return openai.OpenAI(
        api_key="fake-smoke-key",
        base_url="https://example.test/v1",
        max_retries=0,
        http_client=httpx2.Client(transport=transport, trust_env=False),
    )


def main() -> int:
    failures = 0

    def check(name: str, ok: bool) -> None:
        nonlocal failures
        failures += not ok
        sys.stdout.write(f"{'ok' if ok else 'FAIL'}: {name}\n")

    with client(answer(body("failed", "server_error"))) as c:
        response = c.responses.retrieve(RESPONSE_ID)
        check("retrieve() still returns a failed response", response.status == "failed")
        try:
            raise_for_status(response)
            check("raise_for_status raises", False)
        except openai.BackgroundServerError as exc:
            check(
                "raise_for_status raises with code and request id",
                (exc.code, exc.request_id) == ("server_error", REQUEST_ID),
            )

    events = [
        {"type": "response.created", "sequence_number": 0, "response": body("in_progress")},
        {"type": "response.failed", "sequence_number": 1, "response": body("failed", "rate_limit_exceeded")},
    ]
    with client(sse(*events)) as c:
        try:
            with c.responses.stream(response_id=RESPONSE_ID) as stream:
                stream.get_final_response()
            check("stream helper raises", False)
        except openai.BackgroundRateLimitError as exc:
            check("stream helper raises with code", exc.code == "rate_limit_exceeded" and isinstance(exc, RuntimeError))

    with client(answer(body("in_progress")), answer(body("failed", "invalid_prompt"))) as c:
        try:
            c.responses.poll(RESPONSE_ID, poll_interval_ms=0)
            check("poll raises", False)
        except openai.BackgroundInvalidPromptError as exc:
            check("poll raises with code and request id", (exc.code, exc.request_id) == ("invalid_prompt", REQUEST_ID))

    with client(answer(body("completed")), answer(body("completed"))) as c:
        completed = c.responses.retrieve(RESPONSE_ID)
        check("a completed response passes untouched", raise_for_status(completed) is completed)
        check("poll returns a completed response", c.responses.poll(RESPONSE_ID).status == "completed")

    sys.stdout.write(f"openai {openai.__version__} from {openai.__file__}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
