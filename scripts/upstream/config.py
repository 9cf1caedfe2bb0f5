"""Every pinned fact in one place: the upstream release, where things go, how the checks run."""

from __future__ import annotations

from pathlib import Path

UPSTREAM_VERSION = "3.57.0"
"""The openai-python release the series targets; bumping it is this one line."""

ROOT = Path(__file__).resolve().parents[2]
SERIES = ROOT / "upstream" / "series"
"""One directory per pull request, `NN-<slug>/`, applied in order (see upstream/README.md)."""
SMOKE = ROOT / "upstream" / "smoke.py"
WORK = ROOT / ".upstream" / UPSTREAM_VERSION
TOOLS = ROOT / ".upstream" / "tools"
DIST = ROOT / "dist" / "upstream"

INVENTORY = "scripts/castiron/generated-files.json"
FORK_BRANCH = "background-errors"
PYRIGHT_VERSION = "1.1.414"
"""The pyright release upstream's `package.json` pins for `scripts/detect-breaking-changes`."""
PY310 = "3.10"
"""The oldest Python upstream supports; the series' new tests also run on it."""
TEST_TIMEOUT_S = 1800
