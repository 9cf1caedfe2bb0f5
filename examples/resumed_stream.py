"""A background stream whose connection drops twice is resumed with starting_after: no event lost or repeated."""

from __future__ import annotations

from collections import Counter

from openai_background_errors.emulator import serve

from ._support import Row, counting_client, fate


def main(base_url: str) -> Row:
    with counting_client(base_url) as (client, counter):
        metadata = fate("completed", **{"emulator.drop_stream_after": "4x2"})
        with client.responses.stream(
            model="gpt-4.1-mini", input="Tell me.", background=True, metadata=metadata
        ) as stream:
            seen = [event.sequence_number for event in stream]
            final = stream.get_final_response()
        lost = len(set(range(max(seen) + 1)) - set(seen))
        repeated = sum(n - 1 for n in Counter(seen).values())
        return Row(
            scenario="stream dropped twice",
            outcome=f"{final.status}, {len(seen)} events",
            raised="-",
            retryable="-",
            action=f"resumed {counter.count - 1}x, {repeated} repeated",
            requests=counter.count,
            events_lost=str(lost),
        )


if __name__ == "__main__":
    with serve() as url:
        print(main(url))
