"""A job fails with a code no release knows yet: the fallback class keeps the raw code, never guessed transient."""

from __future__ import annotations

import openai_background_errors as obe
from openai_background_errors.emulator import serve

from ._support import Row, counting_client, fate

FUTURE_CODE = "sandbox_session_expired"


def main(base_url: str) -> Row:
    with counting_client(base_url) as (client, counter):
        try:
            client.responses.create_and_poll(
                model="gpt-4.1-mini", input="...", metadata=fate(f"failed:{FUTURE_CODE}")
            )
        except obe.BackgroundResponseFailedError as error:
            return Row(
                scenario="unknown error code",
                outcome=f"{error.status}: {error.code}",
                raised=type(error).__name__,
                retryable=str(error.retryable),
                action="code kept verbatim",
                requests=counter.count,
            )
        raise AssertionError("the job should have failed")


if __name__ == "__main__":
    with serve() as url:
        print(main(url))
