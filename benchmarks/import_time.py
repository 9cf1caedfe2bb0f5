"""import: `python -c "import openai_background_errors"` against `python -c "import openai"`, fresh processes.

Each sample is one fresh interpreter; its cost is the CPU time (user + system)
the child used, read from `resource.getrusage(RUSAGE_CHILDREN)`, which a loaded
machine disturbs less than wall time. The project's bytecode cache is written by a first
untimed import, as an installed wheel would have it (openai's already is).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys

from ._fixtures import ROOT
from ._harness import Figure, paired_ratios, summarize

PROJECT = "import openai_background_errors"
STOCK = "import openai"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _import_cost(statement: str, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(*, quick: bool) -> Figure:
    env = _child_env()
    _import_cost(PROJECT, env)  # writes the project's bytecode cache
    ratios, costs_a, costs_b = paired_ratios(
        lambda: _import_cost(PROJECT, env), lambda: _import_cost(STOCK, env), pairs=2 if quick else 15
    )
    return Figure(
        "import",
        summarize(ratios),
        target=1.05,
        detail=(
            f"A `{PROJECT}` {summarize(costs_a).median * 1e3:.0f} ms, "
            f"B `{STOCK}` {summarize(costs_b).median * 1e3:.0f} ms (child CPU, median)"
        ),
    )
