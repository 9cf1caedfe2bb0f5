"""stream: the project's stream helper over a recorded 20,000-event successful stream against the stock helper."""

from __future__ import annotations

import openai

import openai_background_errors as obe

from ._fixtures import STREAM_EVENTS, long_stream, mock_client, sse_handler
from ._harness import Figure, cpu_seconds, paired_ratios, summarize

WARM_UP_EVENTS = 500


def _consume(client: openai.OpenAI) -> tuple[int, float]:
    """Stream the whole recording through `responses.stream(...)`: (events seen, CPU seconds)."""
    started = cpu_seconds()
    events = 0
    with client.responses.stream(model="gpt-4.1-mini", input="hi", background=True) as stream:
        for _event in stream:
            events += 1
        final = stream.get_final_response()
    elapsed = cpu_seconds() - started
    assert final.status == "completed"
    return events, elapsed


def run(*, quick: bool) -> Figure:
    handler = sse_handler(long_stream())
    project = mock_client(obe.OpenAI, handler)
    stock = mock_client(openai.OpenAI, handler)
    for client in (project, stock):  # warm up both paths on a short stream
        _consume(mock_client(type(client), sse_handler(long_stream(WARM_UP_EVENTS))))
    seen: dict[str, int] = {}

    def sample(name: str, client: openai.OpenAI) -> float:
        events, elapsed = _consume(client)
        seen[name] = events
        return elapsed

    ratios, costs_a, costs_b = paired_ratios(
        lambda: sample("project", project), lambda: sample("stock", stock), pairs=1 if quick else 9
    )
    assert seen["project"] == seen["stock"] == STREAM_EVENTS, seen
    rate_a = STREAM_EVENTS / summarize(costs_a).median
    rate_b = STREAM_EVENTS / summarize(costs_b).median
    return Figure(
        "stream",
        summarize(ratios),
        target=1.03,
        detail=(
            f"cost ratio (B's events/s over A's); A project helper {rate_a:,.0f} events/s, "
            f"B stock helper {rate_b:,.0f} events/s (CPU, {STREAM_EVENTS:,} events)"
        ),
    )
