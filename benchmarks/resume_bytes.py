"""resume_bytes: bytes a resumed background stream receives with 3 drops, against the same stream undropped.

A is the project client streaming a background job whose first three stream
connections the local server cuts after 3 events (`emulator.drop_stream_after` = `03x3`); it
resumes each time with `retrieve(id, stream=True, starting_after=<last seen>)`.
B is the stock client streaming the same kind of job without drops. Bytes are
the response bodies as received from the socket; header bytes are printed too.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import openai

import openai_background_errors as obe
from openai_background_errors.emulator import serve

from ._emulator import counted_client
from ._fixtures import ByteCounter
from ._harness import Figure, paired_ratios, summarize

DROPS = "03x3"
NO_DROPS = "99x3"
"""Never reached by a 13-event stream; the same length as DROPS, so both jobs echo metadata of one size."""


def _stream(client: openai.OpenAI, metadata: dict[str, str]) -> list[int]:
    events = client.responses.create(
        model="gpt-4.1-mini", input="hi", background=True, stream=True, metadata=metadata
    )
    return [event.sequence_number for event in events]


def run(*, quick: bool) -> Figure:
    timing = {"emulator.queue_ms": "0", "emulator.run_ms": "60"}
    totals: dict[str, tuple[int, int]] = {}
    resumes: list[str] = []
    with serve() as base_url:

        def sample(name: str, cls: type[openai.OpenAI], metadata: dict[str, str]) -> float:
            counter = ByteCounter()
            client = counted_client(cls, base_url, counter)
            sequence = _stream(client, metadata)
            client.close()
            assert sequence == list(range(len(sequence))), f"{name} saw {sequence}"
            totals[name] = (counter.body_bytes, counter.header_bytes)
            if name == "project":
                resumes[:] = [
                    f"GET starting_after={parse_qs(urlsplit(exchange.url).query).get('starting_after', ['-'])[0]}"
                    for exchange in counter.exchanges
                    if exchange.method == "GET"
                ]
            return counter.body_bytes

        ratios, _, _ = paired_ratios(
            lambda: sample("project", obe.OpenAI, {**timing, "emulator.drop_stream_after": DROPS}),
            lambda: sample("stock", openai.OpenAI, {**timing, "emulator.drop_stream_after": NO_DROPS}),
            pairs=1 if quick else 3,
        )
    (body_a, headers_a), (body_b, headers_b) = totals["project"], totals["stock"]
    return Figure(
        "resume_bytes",
        summarize(ratios),
        target=1.10,
        detail=(
            f"A {body_a} body bytes over {len(resumes) + 1} connections ({'; '.join(resumes)}), "
            f"B {body_b} over 1; with headers {(body_a + headers_a) / (body_b + headers_b):.2f}"
        ),
    )
