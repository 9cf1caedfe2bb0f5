"""retrieve_failed: the project client raising for a failed response against stock retrieve + `raise_for_status`."""

from __future__ import annotations

import openai

import openai_background_errors as obe

from ._fixtures import json_handler, mock_client, response_bytes
from ._harness import Figure, best_per_call, paired_ratios, summarize

RESPONSE_ID = "resp_bg_failed_server_error_0001"


def run(*, quick: bool) -> Figure:
    handler = json_handler(response_bytes("failed_server_error"))
    project = mock_client(obe.OpenAI, handler)
    stock = mock_client(openai.OpenAI, handler)

    def project_raises() -> None:
        try:
            project.responses.retrieve(RESPONSE_ID)
        except obe.BackgroundServerError:
            return
        raise AssertionError("the project client returned a failed response")

    def stock_then_raise_for_status() -> None:
        try:
            obe.raise_for_status(stock.responses.retrieve(RESPONSE_ID))
        except obe.BackgroundServerError:
            return
        raise AssertionError("raise_for_status returned a failed response")

    def sample_project() -> float:
        return best_per_call(project_raises, calls=5, repeats=5)

    def sample_stock() -> float:
        return best_per_call(stock_then_raise_for_status, calls=5, repeats=5)

    sample_project()
    sample_stock()
    ratios, costs_a, costs_b = paired_ratios(sample_project, sample_stock, pairs=9 if quick else 61)
    return Figure(
        "retrieve_failed",
        summarize(ratios),
        target=1.03,
        detail=(
            f"A project retrieve raising {summarize(costs_a).median * 1e6:.0f} us/call, "
            f"B stock retrieve + raise_for_status {summarize(costs_b).median * 1e6:.0f} us/call (CPU)"
        ),
    )
