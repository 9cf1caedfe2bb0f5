"""Upstream's development environment for one tree, as its scripts build it (uv, locked, all extras)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from . import config
from .run import run, say

TOOLS = config.ROOT / ".upstream" / "tools"
UV_ENV = {"UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}


def uv() -> Path:
    """uv, installed from PyPI into a scratch virtual environment the first time."""
    binary = TOOLS / "bin" / "uv"
    if not binary.exists():
        say("installing uv into .upstream/tools")
        run([sys.executable, "-m", "venv", "--clear", str(TOOLS)], what="create the tools venv")
        run([str(TOOLS / "bin" / "python"), "-m", "pip", "install", "-q", "uv"], what="install uv")
    return binary


def python() -> str:
    return shutil.which(f"python{sys.version_info.major}.{sys.version_info.minor}") or sys.executable


def sync(tree: Path) -> Path:
    """`uv sync --locked --all-extras` in `tree`; return the environment's python.

    Upstream's lock pins an inline-snapshot release the registry no longer serves,
    so the lock is refreshed for that one package first (in the run tree only; the
    patch never carries it).
    """
    env = {**UV_ENV, "UV_PROJECT_ENVIRONMENT": str(tree / ".venv")}
    interpreter = python()
    run(
        [str(uv()), "lock", "--upgrade-package", "inline-snapshot", "--python", interpreter],
        cwd=tree,
        env=env,
        what="refresh inline-snapshot in upstream's uv.lock",
    )
    run(
        [str(uv()), "sync", "--locked", "--all-extras", "--python", interpreter],
        cwd=tree,
        env=env,
        what="uv sync upstream's dev environment",
    )
    return tree / ".venv" / "bin" / "python"


def tool(tree: Path, name: str) -> Path:
    return tree / ".venv" / "bin" / name
