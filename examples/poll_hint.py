"""poll() waits what each answer's openai-poll-after-ms says, so it polls no more often than the server asks."""

from __future__ import annotations

import math

from openai_background_errors.emulator import serve

from ._support import Row, counting_client

QUEUE_MS, RUN_MS, HINT_MS = 100, 400, 200


def main(base_url: str) -> Row:
    with counting_client(base_url) as (client, counter):
        metadata = {
            "emulator.outcome": "completed",
            "emulator.queue_ms": str(QUEUE_MS),
            "emulator.run_ms": str(RUN_MS),
            "emulator.poll_after_ms": str(HINT_MS),
        }
        created = client.responses.create(
            model="gpt-4.1-mini", input="...", background=True, metadata=metadata
        )
        response = client.responses.poll(created.id)
        polls = counter.count - 1
        # The job is terminal QUEUE_MS + RUN_MS after creation; polling every HINT_MS needs this many polls.
        needed = math.ceil((QUEUE_MS + RUN_MS) / HINT_MS) + 1
        return Row(
            scenario="poll follows openai-poll-after-ms",
            outcome=str(response.status),
            raised="-",
            retryable="-",
            action=f"{polls} polls, hint allows >= {needed}",
            requests=counter.count,
        )


if __name__ == "__main__":
    with serve() as url:
        print(main(url))
