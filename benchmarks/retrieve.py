"""retrieve: the project client's `responses.retrieve` of a completed response against the stock client's."""

from __future__ import annotations

import openai

import openai_background_errors as obe

from ._fixtures import json_handler, mock_client, response_bytes
from ._harness import Figure, best_per_call, paired_ratios, summarize

RESPONSE_ID = "resp_bg_completed_0001"


def run(*, quick: bool) -> Figure:
    handler = json_handler(response_bytes("completed"))
    project = mock_client(obe.OpenAI, handler)
    stock = mock_client(openai.OpenAI, handler)

    def retrieve(client: openai.OpenAI) -> None:
        response = client.responses.retrieve(RESPONSE_ID)
        assert response.status == "completed"

    def sample(client: openai.OpenAI) -> float:
        return best_per_call(lambda: retrieve(client), calls=5, repeats=5)

    sample(project)
    sample(stock)
    ratios, costs_a, costs_b = paired_ratios(
        lambda: sample(project), lambda: sample(stock), pairs=9 if quick else 61
    )
    return Figure(
        "retrieve",
        summarize(ratios),
        target=1.03,
        detail=(
            f"A project retrieve {summarize(costs_a).median * 1e6:.0f} us/call, "
            f"B stock retrieve {summarize(costs_b).median * 1e6:.0f} us/call (CPU)"
        ),
    )
