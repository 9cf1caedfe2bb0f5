"""The fork's wheel: the patched tree built with a local version label, proven in a fresh virtual environment."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from . import config, env
from .run import run


def fork_version() -> str:
    """`<upstream>+background.errors.N`, N counting this repository's commits (so it only grows)."""
    count = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=config.ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"{config.UPSTREAM_VERSION}+background.errors.{count or 0}"


def build(tree: Path) -> Path:
    """Build the wheel from a copy of `tree` whose version carries the fork's label."""
    version = fork_version()
    work = config.WORK / "wheel-build"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(tree, work, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__"))
    pyproject = work / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'^version = ".*"$', f'version = "{version}"', pyproject.read_text(), count=1, flags=re.M)
    )
    version_py = work / "src/openai/_version.py"
    version_py.write_text(re.sub(r'__version__ = ".*"', f'__version__ = "{version}"', version_py.read_text()))
    config.DIST.mkdir(parents=True, exist_ok=True)
    for old in config.DIST.glob("openai-*.whl"):
        old.unlink()
    run(
        [str(env.uv()), "build", "--wheel", "--out-dir", str(config.DIST), "--python", env.python()],
        cwd=work,
        env=env.UV_ENV,
        what="build the fork's wheel",
    )
    (wheel,) = config.DIST.glob("openai-*.whl")
    return wheel


def smoke(wheel: Path) -> tuple[bool, str]:
    """Install `wheel` alone (with its dependencies) into a fresh venv and run the smoke script there."""
    venv = config.WORK / "smoke-venv"
    shutil.rmtree(venv, ignore_errors=True)
    run([env.python(), "-m", "venv", str(venv)], what="create the smoke venv")
    run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        what="install the fork's wheel",
    )
    proc = run(
        [str(venv / "bin" / "python"), str(config.FRAGMENTS / "smoke.py")],
        cwd=venv,
        check=False,
        what="smoke",
    )
    return proc.returncode == 0, proc.stdout.strip()
