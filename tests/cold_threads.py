"""Many threads sharing one client, in a fresh process, each reading a background stream.

Run as a script by tests/test_cold_threads.py: `python -m tests.cold_threads BASE_URL CLIENT`
(CLIENT is `package` for this package's `OpenAI`, `stock` for `openai.OpenAI`, which then
never imports this package). It prints one line, `events=N not_models=M types=[...]`, and
exits 1 when any event is not the SDK's model. Threads switch every microsecond, so that
their first uses of the SDK's types overlap as they would under load.
"""

from __future__ import annotations

import sys
import threading

sys.setswitchinterval(1e-6)

THREADS = 16


def main(base_url: str, which: str) -> int:
    import openai
    from openai._models import BaseModel

    if which == "package":
        import openai_background_errors

        client: openai.OpenAI = openai_background_errors.OpenAI(base_url=base_url, api_key="emulator")
    else:
        client = openai.OpenAI(base_url=base_url, api_key="emulator")
    start = threading.Barrier(THREADS)
    events: list[object] = []

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
            events.extend(stream)

    threads = [threading.Thread(target=read, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wrong = sorted({type(event).__name__ for event in events if not isinstance(event, BaseModel)})
    not_models = sum(not isinstance(event, BaseModel) for event in events)
    print(f"events={len(events)} not_models={not_models} types={wrong}")
    return 1 if not_models or not events else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
