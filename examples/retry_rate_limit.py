"""A job fails with rate_limit_exceeded: classified retryable, resubmitted with a new create(), and completes.

A terminal response never changes, so "retry" means submitting the request again.
"""

from __future__ import annotations

import openai_background_errors as obe
from openai_background_errors.emulator import serve

from ._support import Row, counting_client, fate


def main(base_url: str) -> Row:
    with counting_client(base_url) as (client, counter):
        # The emulator scripts each attempt's fate; a real run would send the same request each time.
        fates = ["failed:rate_limit_exceeded", "completed"]
        first_error: obe.BackgroundResponseError | None = None
        for attempt_fate in fates:
            try:
                response = client.responses.create_and_poll(
                    model="gpt-4.1-mini", input="Summarize.", metadata=fate(attempt_fate)
                )
            except obe.BackgroundResponseError as error:
                if not obe.is_retryable(error):
                    raise
                first_error = first_error or error
                continue
            assert first_error is not None
            return Row(
                scenario="rate limited, then retried",
                outcome=f"{response.status} after resubmit",
                raised=type(first_error).__name__,
                retryable=str(first_error.retryable),
                action="resubmitted (new create)",
                requests=counter.count,
            )
        raise AssertionError("the resubmitted job should have completed")


if __name__ == "__main__":
    with serve() as url:
        print(main(url))
