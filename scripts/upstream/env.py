"""Upstream's development environments for one tree, built as its own scripts build them (uv, locked)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import config
from .run import run, say

UV_ENV = {"UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}


def uv() -> Path:
    """uv, installed from PyPI into a scratch virtual environment the first time."""
    binary = config.TOOLS / "bin" / "uv"
    if not binary.exists():
        say("installing uv into .upstream/tools")
        run([sys.executable, "-m", "venv", "--clear", str(config.TOOLS)], what="create the tools venv")
        run([str(config.TOOLS / "bin" / "python"), "-m", "pip", "install", "-q", "uv"], what="install uv")
    return binary


def python() -> str:
    return shutil.which(f"python{sys.version_info.major}.{sys.version_info.minor}") or sys.executable


def python310() -> str | None:
    """A Python 3.10 interpreter: pyenv's, else one on PATH; None when the machine has none."""
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False).stdout.strip()
        candidates = sorted(Path(root, "versions").glob(f"{config.PY310}.*/bin/python"))
        if candidates:
            return str(candidates[-1])
    found = shutil.which(f"python{config.PY310}")
    # A pyenv shim for a version that is not selected exists but does not run.
    if found and subprocess.run([found, "-c", ""], capture_output=True, check=False).returncode == 0:
        return found
    return None


def refresh_lock(tree: Path) -> list[str]:
    """Make upstream's lock resolvable from the package index here, in the run tree only (no patch
    carries it): refresh inline-snapshot, whose locked release the registry no longer serves, and
    raise an exact development pin the index lacks (`X==V` becomes `X>=V`). Returns the pins raised."""
    raised: list[str] = []
    packages = ["inline-snapshot"]
    while True:
        proc = run(
            [str(uv()), "lock", *(f"--upgrade-package={name}" for name in packages), "--python", python()],
            cwd=tree,
            env=UV_ENV,
            check=False,
        )
        if proc.returncode == 0:
            break
        missing = re.search(r"there is no version of ([A-Za-z0-9_.-]+)==([^\s,]+)", proc.stdout + proc.stderr)
        pyproject = tree / "pyproject.toml"
        pin = f'"{missing[1]}=={missing[2]}"' if missing else None
        if missing is None or pin is None or pin not in pyproject.read_text() or len(raised) >= 5:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-10:]
            raise SystemExit("failed to lock upstream's environment:\n" + "\n".join(tail))
        pyproject.write_text(pyproject.read_text().replace(pin, f'"{missing[1]}>={missing[2]}"'))
        raised.append(f"{missing[1]}=={missing[2]}")
        packages.append(missing[1])
        say(f"upstream's pin {missing[1]}=={missing[2]} is not on the index: raised to >= in the run tree")
    run(
        ["git", "update-index", "--assume-unchanged", "uv.lock", "pyproject.toml"],
        cwd=tree,
        what="keep uv.lock and pyproject.toml out of commits",
    )
    return raised


def sync(
    tree: Path, venv: Path | None = None, *, interpreter: str | None = None, groups: tuple[str, ...] = ()
) -> Path:
    """`uv sync --locked --all-extras` for `tree` into `venv` (default: `tree/.venv`, as upstream's
    `scripts/bootstrap`); return its python.

    `groups` selects dependency groups in place of the default ones, as
    `scripts/test-pydantic-v1` does with `--group dev --group pydantic-v1`. Other environments than the
    default one live outside the tree, so that the tree's own lint never sees them.
    """
    venv = venv or tree / ".venv"
    selection = ["--no-default-groups", *(f"--group={group}" for group in groups)] if groups else []
    run(
        [str(uv()), "sync", "--locked", "--all-extras", *selection, "--python", interpreter or python()],
        cwd=tree,
        env={**UV_ENV, "UV_PROJECT_ENVIRONMENT": str(venv)},
        what=f"uv sync upstream's environment {venv.name}",
    )
    return venv / "bin" / "python"


def tool(tree: Path, name: str) -> Path:
    return tree / ".venv" / "bin" / name


def pyright() -> Path:
    """The pyright release upstream pins for its breaking-change check, from npm (its Node engine pin is
    22.x; this runs the same pyright release on the Node this machine has)."""
    home = config.TOOLS / "node"
    entry = home / "node_modules" / "pyright" / "index.js"
    if not entry.exists():
        say(f"installing pyright {config.PYRIGHT_VERSION} from npm into .upstream/tools/node")
        home.mkdir(parents=True, exist_ok=True)
        run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", f"pyright@{config.PYRIGHT_VERSION}"],
            cwd=home,
            what="install pyright",
        )
    return entry


def ruff(tree: Path) -> Path:
    """Upstream's ruff: the tree's own environment's when it has one, else the release its `uv.lock` pins,
    installed into the tools environment (enough to lay out the series without a full `uv sync`)."""
    own = tool(tree, "ruff")
    if own.exists():
        return own
    pinned = re.search(r'^name = "ruff"\nversion = "([^"]+)"', (tree / "uv.lock").read_text(), flags=re.M)
    if pinned is None:
        raise SystemExit(f"{tree}/uv.lock pins no ruff")
    binary = config.TOOLS / "bin" / "ruff"
    installed = (
        subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False).stdout
        if binary.exists()
        else ""
    )
    if installed.split()[-1:] != [pinned[1]]:
        uv()
        say(f"installing ruff {pinned[1]} (upstream's uv.lock) into .upstream/tools")
        run(
            [str(config.TOOLS / "bin" / "python"), "-m", "pip", "install", "-q", f"ruff=={pinned[1]}"],
            what="install upstream's ruff",
        )
    return binary
