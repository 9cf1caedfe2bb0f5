"""Many threads sharing one client, in a fresh process, each reading a background stream.

Run as a script by tests/test_cold_threads.py: `python -m tests.cold_threads BASE_URL CLIENT`
(CLIENT is `package` for this package's `OpenAI`, `stock` for `openai.OpenAI`, which then
never imports this package). Each thread then lists its response's input items (a page, another generic model). It
prints one line, `events=N items=I not_models=M types=[...]`, and exits 1 when any event or item
is not the SDK's model. Threads switch every microsecond, so that
their first uses of the SDK's types overlap as they would under load.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

sys.setswitchinterval(1e-6)

THREADS = 16


def _response_id(events: list[Any]) -> str:
    """The id of the streamed response, read from the JSON of its first event (a model or not)."""
    first: Any = events[0]
    data: Any = first.to_dict() if hasattr(first, "to_dict") else first
    return str(data["response"]["id"])


def main(base_url: str, which: str) -> int:
    import openai
    from openai._models import BaseModel

    if which == "package":
        import openai_background_errors

        client: openai.OpenAI = openai_background_errors.OpenAI(base_url=base_url, api_key="emulator")
    else:
        client = openai.OpenAI(base_url=base_url, api_key="emulator")
    start = threading.Barrier(THREADS)
    events: list[Any] = []
    items: list[object] = []

    def read(number: int) -> None:
        start.wait()
        metadata = {"emulator.queue_ms": "5", "emulator.run_ms": "40", "emulator.poll_after_ms": "5"}
        if number % 2:
            stream = client.responses.create(
                model="gpt-4.1", input="hi", background=True, stream=True, metadata=metadata
            )
        else:
            created = client.responses.create(model="gpt-4.1", input="hi", background=True, metadata=metadata)
            stream = client.responses.retrieve(created.id, stream=True)
        with stream:
            mine = list(stream)
        events.extend(mine)
        # A page is a generic model parametrized on first use too.
        items.extend(client.responses.input_items.list(_response_id(mine)).data)

    threads = [threading.Thread(target=read, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    built = [*events, *items]
    wrong = sorted({type(value).__name__ for value in built if not isinstance(value, BaseModel)})
    not_models = sum(not isinstance(value, BaseModel) for value in built)
    print(f"events={len(events)} items={len(items)} not_models={not_models} types={wrong}")
    return 1 if not_models or len(items) < THREADS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
