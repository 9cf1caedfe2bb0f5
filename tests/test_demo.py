"""The README's demo: every scenario against the embedded server gives the outcome it shows."""

from __future__ import annotations

from examples import demo


def test_demo_scenarios() -> None:
    from openai_background_errors.emulator import serve

    with serve() as base_url:
        rows = {row.scenario: row for row in (scenario.main(base_url) for scenario in demo.SCENARIOS)}

    retried = rows["rate limited, then retried"]
    assert (retried.outcome, retried.raised, retried.retryable) == (
        "completed after resubmit",
        "BackgroundRateLimitError",
        "True",
    )
    invalid = rows["invalid prompt"]
    assert (invalid.raised, invalid.retryable, invalid.requests) == (
        "BackgroundInvalidPromptError",
        "False",
        3,
    )
    unknown = rows["unknown error code"]
    assert (unknown.outcome, unknown.raised) == (
        "failed: sandbox_session_expired",
        "BackgroundResponseFailedError",
    )
    dropped = rows["stream dropped twice"]
    assert (dropped.outcome, dropped.events_lost, dropped.requests) == ("completed, 14 events", "0", 3)
    assert dropped.action == "resumed 2x, 0 repeated"
    polled = rows["poll follows openai-poll-after-ms"]
    assert polled.action == "4 polls, hint allows >= 4"
    assert "scenario" in demo.render(list(rows.values())).splitlines()[0]
