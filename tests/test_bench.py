"""`scripts/bench --quick` runs and prints every figure. Nothing here is timed: the numbers are not asserted."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = (
    "retrieve",
    "retrieve_failed",
    "stream",
    "classify",
    "import",
    "poll_requests",
    "poll_delay",
    "resume_bytes",
)


def test_quick_bench_prints_every_figure() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "bench"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    pattern = r"bench: " + " ".join(rf"{name}=\d+\.\d+" for name in FIGURES)
    assert re.fullmatch(pattern, last), last
