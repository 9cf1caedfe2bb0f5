"""The fork: the series as a git branch people install with pip, and the same tree as a wheel.

`dist/upstream/fork.git` is a bare repository whose branch `background-errors` holds the
pristine release; for each pull request its patch and then, as a commit of its own, what the
generator must emit for it; and one commit that gives the fork its own version
(`<release>+background.errors.N`, N the series' revision), so that pip can tell it from the stock
release.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from . import config, edits, env, series, tree
from .run import run


def version() -> str:
    """`<upstream>+background.errors.N`, N the series' revision number (upstream/series/REVISION)."""
    revision = config.REVISION.read_text().strip()
    if not revision.isdigit():
        raise SystemExit(f"{config.REVISION.relative_to(config.ROOT)} must hold a number, not {revision!r}")
    return f"{config.BASE.version}+background.errors.{int(revision)}"


def assemble(built: list[series.Built], author: str) -> Path:
    """A fresh tree of the base with each patch applied by `git am`, each followed by its codegen diff as
    a commit of its own; return it."""
    work = tree.fresh_copy("fork", author)
    for item in built:
        run(["git", "am", "-q", str(item.patch)], cwd=work, what=f"git am {item.patch.name}")
        if item.codegen is not None:
            run(["git", "apply", str(item.codegen)], cwd=work, what=f"git apply {item.codegen.name}")
            tree.commit(
                work,
                f"codegen: what the generator must emit for {item.pull_request.name}\n\n"
                f"Generator-owned files, as {item.codegen.name} gives them; upstream regenerates these.\n",
                author,
            )
    return work


def commit_version(work: Path, author: str) -> str:
    """Commit the fork's version into `work` (the series applied); return it."""
    label = version()
    pyproject = work / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'^version = ".*"$', f'version = "{label}"', pyproject.read_text(), count=1, flags=re.M)
    )
    version_py = work / "src/openai/_version.py"
    version_py.write_text(re.sub(r'__version__ = ".*"', f'__version__ = "{label}"', version_py.read_text()))
    tree.commit(
        work,
        f"chore: version {label} for the background-errors fork",
        author,
        ("pyproject.toml", "src/openai/_version.py"),
    )
    return label


def publish(work: Path) -> Path:
    """Push `work`'s HEAD to the bare repository's `background-errors` branch (made anew)."""
    bare = config.BASE.dist / "fork.git"
    shutil.rmtree(bare, ignore_errors=True)
    run(
        ["git", "init", "-q", "--bare", "-b", config.FORK_BRANCH, str(bare)],
        what="create the fork repository",
    )
    run(
        ["git", "push", "-q", str(bare), f"HEAD:refs/heads/{config.FORK_BRANCH}"],
        cwd=work,
        what="push the fork",
    )
    return bare


def requirement(bare: Path) -> str:
    """The line that installs the fork from its git branch (the README's install line)."""
    return f"openai @ git+file://localhost{bare.resolve()}@{config.FORK_BRANCH}"


def build_wheel(work: Path) -> Path:
    """Build the wheel from a clean export of `work`'s HEAD (what a git install builds)."""
    export = config.BASE.work / "wheel-build"
    shutil.rmtree(export, ignore_errors=True)
    export.mkdir(parents=True)
    run(["git", "archive", "--output", str(export / "tree.tar"), "HEAD"], cwd=work, what="export the fork")
    run(["tar", "-xf", "tree.tar"], cwd=export)
    (export / "tree.tar").unlink()
    for old in config.BASE.dist.glob("openai-*.whl"):
        old.unlink()
    run(
        [str(env.uv()), "build", "--wheel", "--out-dir", str(config.BASE.dist), "--python", env.python()],
        cwd=export,
        env=env.UV_ENV,
        what="build the fork's wheel",
    )
    (wheel,) = config.BASE.dist.glob("openai-*.whl")
    return wheel


def smoke(name: str, requirement: str, expected_version: str) -> tuple[bool, str]:
    """Install `requirement` alone (with its dependencies) in a fresh venv with a current pip, then run
    upstream/smoke.py there, with the class names the series was built with."""
    venv = config.BASE.work / f"{name}-venv"
    shutil.rmtree(venv, ignore_errors=True)
    run([env.python(), "-m", "venv", str(venv)], what=f"create the {name} venv")
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], what="upgrade pip")
    run([python, "-m", "pip", "install", "-q", requirement], what=f"pip install {requirement}")
    checks = venv / config.SMOKE.name
    checks.write_text(edits.renamed(config.SMOKE.read_text()))
    proc = run([python, str(checks), expected_version], cwd=venv, check=False, what="smoke")
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()
