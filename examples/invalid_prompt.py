"""A job fails with invalid_prompt: classified as not retryable, so it is reported, not resubmitted."""

from __future__ import annotations

import openai_background_errors as obe
from openai_background_errors.emulator import serve

from ._support import Row, counting_client, fate


def main(base_url: str) -> Row:
    with counting_client(base_url) as (client, counter):
        try:
            client.responses.create_and_poll(
                model="gpt-4.1-mini", input="...", metadata=fate("failed:invalid_prompt")
            )
        except obe.BackgroundInvalidPromptError as error:
            return Row(
                scenario="invalid prompt",
                outcome=f"{error.status}: {error.code}",
                raised=type(error).__name__,
                retryable=str(error.retryable),
                action="reported, not retried",
                requests=counter.count,
            )
        raise AssertionError("the job should have failed")


if __name__ == "__main__":
    with serve() as url:
        print(main(url))
