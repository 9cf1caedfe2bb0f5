"""Every pinned fact in one place: where things go, how the checks run; the base release is chosen at run time."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERIES = ROOT / "upstream" / "series"
"""One directory per pull request, `NN-<slug>/`, applied in order (see upstream/README.md)."""
REVISION = SERIES / "REVISION"
"""The series' revision number, the `N` of the fork's `+background.errors.N`: raised by hand whenever a
pull request's content changes, so every clone of one commit gives the fork the same version."""
SMOKE = ROOT / "upstream" / "smoke.py"
SCRATCH = ROOT / ".upstream"
TOOLS = SCRATCH / "tools"
DIST = ROOT / "dist" / "upstream"

INVENTORY = "scripts/castiron/generated-files.json"
FORK_BRANCH = "background-errors"
PYRIGHT_VERSION = "1.1.414"
"""The pyright release upstream's `package.json` pins for `scripts/detect-breaking-changes`."""
PY310 = "3.10"
"""The oldest Python upstream supports; the series' new tests also run on it."""
TEST_TIMEOUT_S = 1800

NAMINGS: dict[str, dict[str, str]] = {
    "3723": {
        "BackgroundResponseError": "ResponseNotCompletedError",
        "BackgroundResponseFailedError": "ResponseFailedError",
        "BackgroundResponseIncompleteError": "ResponseIncompleteError",
        "BackgroundResponseCancelledError": "ResponseCancelledError",
    },
}
"""Other names for the first pull request's classes (`--names`): #3723's, so that the rest of the series
can be built and proven on top of a first change that keeps them."""


class _Base:
    """The openai-python release the series is built on: the newest on the index unless `--base` pins
    one, set by `use_base` before anything else runs."""

    version = ""
    work = SCRATCH / "unset"
    """Scratch work for that release: `.upstream/<version>/`."""
    dist = DIST
    """Where the outputs go: dist/upstream/, or dist/upstream/names-<naming>/ for another naming."""
    renames: dict[str, str] = {}  # noqa: RUF012  # one instance, set once
    """The class names the series is built with (`--names`); empty for its own."""


BASE = _Base()


def use_base(version: str, naming: str | None = None) -> None:
    BASE.version = version
    BASE.work = SCRATCH / (version if naming is None else f"{version}-names-{naming}")
    BASE.renames = NAMINGS[naming] if naming is not None else {}
    BASE.dist = DIST if naming is None else DIST / f"names-{naming}"
