"""Every pinned fact in one place: the upstream release, where things go, what is ported where."""

from __future__ import annotations

import dataclasses
from pathlib import Path

UPSTREAM_VERSION = "3.57.0"
"""The openai-python release the patch targets; bumping it is this one line."""

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "openai_background_errors"
FRAGMENTS = ROOT / "upstream"
WORK = ROOT / ".upstream" / UPSTREAM_VERSION
DIST = ROOT / "dist" / "upstream"

PATCH_NAME = "background-errors.patch"
COMMIT_SUBJECT = "feat(responses): typed errors for failed background responses, poll and create_and_poll"
CUSTOM_LINE_LIMIT = 60
INVENTORY = "scripts/castiron/generated-files.json"
TEST_TIMEOUT_S = 900


@dataclasses.dataclass(frozen=True)
class Port:
    """One module of `src/` and where it lands upstream."""

    module: str
    """File name under src/openai_background_errors/."""
    target: str
    """Path in the upstream tree."""
    keep: tuple[str, ...] | None = None
    """Top-level names to port (with what they use); None ports the whole module."""
    append: bool = False
    """Append to an existing hand-written upstream module instead of creating one."""


PORTS: tuple[Port, ...] = (
    Port("errors.py", "src/openai/_exceptions.py", append=True),
    Port("registry.py", "src/openai/lib/_background_errors.py"),
    Port("polling.py", "src/openai/lib/_background_polling.py", keep=("poll", "async_poll")),
    Port(
        "streaming.py",
        "src/openai/lib/_background_streaming.py",
        keep=("FailureWatch",),
    ),
)

NOT_PORTED = {
    "client.py": "client subclasses: upstream stays opt-in, retrieve() is unchanged",
    "resources.py": "resource subclasses: upstream gets thin delegates in the generated resource instead",
    "__init__.py": "package exports: upstream exports from openai/__init__.py and openai/lib/__init__.py",
}

# Spellings that upstream's type checker (ty) needs and this repository's (pyright) does not.
# Each applies only where its text is found; the summary lists the ones used. Prefer fixing the
# source so this stays empty.
REWRITES: dict[str, tuple[tuple[str, str], ...]] = {}

# Relative imports between this package's modules, and where those modules live upstream.
MODULE_MAP = {
    "errors": "openai._exceptions",
    "registry": "openai.lib._background_errors",
    "polling": "openai.lib._background_polling",
    "streaming": "openai.lib._background_streaming",
}
