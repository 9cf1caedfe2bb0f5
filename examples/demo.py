"""The demo: every scenario against the embedded local server, printed as one table. No API key needed."""

from __future__ import annotations

from dataclasses import astuple, fields

from openai_background_errors.emulator import serve

from . import invalid_prompt, poll_hint, resumed_stream, retry_rate_limit, unknown_code
from ._support import Row

SCENARIOS = (retry_rate_limit, invalid_prompt, unknown_code, resumed_stream, poll_hint)


def render(rows: list[Row]) -> str:
    header = ("scenario", "outcome", "raised class", "retryable", "action", "requests", "events lost")
    cells = [header, *(tuple(str(value) for value in astuple(row)) for row in rows)]
    widths = [max(len(line[column]) for line in cells) for column in range(len(fields(Row)))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    with serve() as base_url:
        rows = [scenario.main(base_url) for scenario in SCENARIOS]
    print(render(rows))


if __name__ == "__main__":
    main()
