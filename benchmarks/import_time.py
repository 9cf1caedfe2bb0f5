"""import: `import openai_background_errors` against `import openai`, timed in one fresh process.

Each sample is one fresh interpreter that imports openai, then the project, reading its
CPU clock (`time.process_time`) before, between and after: B is what `import openai`
cost, A what importing the project cost in all (openai included). Timing both in one
process cancels what differs from process to process (cache, frequency, startup), which
swung separate processes' ratios from 0.8 to 1.4 on a 2-core machine while the project's
own modules cost a few ms of openai's several hundred. The project's bytecode cache is
written by a first untimed import, as an installed wheel would have it (openai's already is).
"""

from __future__ import annotations

import os
import subprocess
import sys

from ._fixtures import ROOT
from ._harness import Figure, summarize

PROJECT = "import openai_background_errors"
STOCK = "import openai"
_TIMED = f"""
import time
started = time.process_time()
{STOCK}
stock = time.process_time()
{PROJECT}
print(time.process_time() - started, stock - started)
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _import_costs(env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds of (importing the project, openai included; importing openai) in one fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _TIMED], check=True, cwd=ROOT, env=env, capture_output=True, text=True
    )
    project, stock = (float(value) for value in done.stdout.split())
    return project, stock


def run(*, quick: bool) -> Figure:
    env = _child_env()
    subprocess.run([sys.executable, "-c", PROJECT], check=True, cwd=ROOT, env=env)  # bytecode cache
    samples = [_import_costs(env) for _ in range(3 if quick else 15)]
    costs_a = [project for project, _ in samples]
    costs_b = [stock for _, stock in samples]
    return Figure(
        "import",
        summarize([project / stock for project, stock in samples]),
        target=1.05,
        detail=(
            f"A `{PROJECT}` {summarize(costs_a).median * 1e3:.0f} ms, "
            f"B `{STOCK}` {summarize(costs_b).median * 1e3:.0f} ms (CPU in one process, median)"
        ),
    )
