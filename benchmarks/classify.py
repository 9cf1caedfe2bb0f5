"""classify: `error_for(response)` per call against `Response.model_validate` of the same payload."""

from __future__ import annotations

from openai.types.responses import Response

import openai_background_errors as obe

from ._fixtures import response_payload
from ._harness import Figure, best_per_call, paired_ratios, summarize


def run(*, quick: bool) -> Figure:
    payload = response_payload("failed_server_error")
    response = Response.model_validate(payload)
    assert obe.error_for(response) is not None

    def sample_classify() -> float:
        return best_per_call(lambda: obe.error_for(response), calls=50, repeats=5)

    def sample_validate() -> float:
        return best_per_call(lambda: Response.model_validate(payload), calls=50, repeats=5)

    sample_classify()
    sample_validate()
    ratios, costs_a, costs_b = paired_ratios(sample_classify, sample_validate, pairs=9 if quick else 41)
    return Figure(
        "classify",
        summarize(ratios),
        target=0.30,
        digits=3,
        detail=(
            f"A error_for {summarize(costs_a).median * 1e6:.2f} us/call, "
            f"B Response.model_validate {summarize(costs_b).median * 1e6:.1f} us/call (CPU)"
        ),
    )
