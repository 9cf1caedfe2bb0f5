"""The upstream tree: download the pinned sdist, prove it pristine, lay this repository into a copy of it."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from . import config, edits, port
from .run import run

GIT_ENV = {
    "GIT_AUTHOR_NAME": "openai-background-errors",
    "GIT_AUTHOR_EMAIL": "openai-background-errors@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "openai-background-errors",
    "GIT_COMMITTER_EMAIL": "openai-background-errors@users.noreply.github.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def sdist() -> Path:
    """The pinned sdist, downloaded once into the scratch directory."""
    target = config.WORK / f"openai-{config.UPSTREAM_VERSION}.tar.gz"
    if not target.exists():
        config.WORK.mkdir(parents=True, exist_ok=True)
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--disable-pip-version-check",
                "-d",
                str(config.WORK),
                f"openai=={config.UPSTREAM_VERSION}",
            ],
            what="download the openai sdist",
        )
    return target


def pristine() -> Path:
    """The sdist extracted into a git repository with one commit (never modified afterwards)."""
    tree = config.WORK / "pristine"
    if (tree / ".git").exists():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    extracted = config.WORK / "extract"
    shutil.rmtree(extracted, ignore_errors=True)
    with tarfile.open(sdist()) as archive:
        archive.extractall(extracted, filter="data")
    (extracted / f"openai-{config.UPSTREAM_VERSION}").rename(tree)
    extracted.rmdir()
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", "-A", "-f")
    git(tree, "commit", "-q", "-m", f"openai {config.UPSTREAM_VERSION} (PyPI sdist)")
    return tree


def git(tree: Path, *args: str) -> str:
    return run(
        ["git", "-c", "core.autocrlf=false", *args], cwd=tree, env=GIT_ENV, what=f"git {args[0]}"
    ).stdout


def verify_inventory(tree: Path) -> int:
    """Every generator-owned path matches its sha256; return how many were checked."""
    inventory = json.loads((tree / config.INVENTORY).read_text())["files"]
    bad = [
        path
        for path, entry in inventory.items()
        if not (tree / path).is_file()
        or hashlib.sha256((tree / path).read_bytes()).hexdigest() != entry["sha256"]
    ]
    if bad:
        raise SystemExit(f"upstream base is NOT pristine: {len(bad)} generated files differ, e.g. {bad[:5]}")
    return len(inventory)


def fresh_copy(name: str) -> Path:
    """A new clone of the pristine tree, to change."""
    tree = config.WORK / name
    shutil.rmtree(tree, ignore_errors=True)
    run(["git", "clone", "-q", str(pristine()), str(tree)], what="clone the pristine tree")
    return tree


def lay_in(tree: Path, ruff: Path) -> dict[str, object]:
    """Port the modules, add the upstream-only files, apply the edit fragments; return what was done."""
    ported: list[port.Ported] = []
    for spec in config.PORTS:
        if not (config.SRC / spec.module).exists():
            continue
        result = port.port(spec, tree)
        target = tree / spec.target
        if spec.append:
            _append(target, result)
        else:
            target.write_text(result.text)
        ported.append(result)
    added: list[str] = []
    for source in sorted((config.FRAGMENTS / "files").rglob("*")):
        if source.is_file() and "__pycache__" not in source.parts:
            relative = source.relative_to(config.FRAGMENTS / "files")
            (tree / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tree / relative)
            added.append(str(relative))
    touched = edits.apply_all(config.FRAGMENTS / "edits", tree)
    # Upstream's own ruff settles import order and layout of the hand-written files we wrote or changed.
    inventory = json.loads((tree / config.INVENTORY).read_text())["files"]
    python = [p.port.target for p in ported] + [p for p in added + touched if p.endswith(".py")]
    hand_written = sorted({p for p in python if p not in inventory})
    generated = sorted({p for p in python if p in inventory})
    run(
        [str(ruff), "check", "--fix", "--select", "I,F401", "-q", *hand_written, *generated],
        cwd=tree,
        check=False,
    )
    run([str(ruff), "format", "-q", *hand_written], cwd=tree)
    return {
        "ported": [
            {
                "module": p.port.module,
                "target": p.port.target,
                "names": p.names,
                "left_behind": p.skipped,
                "rewrites": p.rewrites,
            }
            for p in ported
        ],
        "missing": [p.module for p in config.PORTS if not (config.SRC / p.module).exists()],
        "added": added,
        "edited": touched,
    }


def _append(target: Path, result: port.Ported) -> None:
    lines = target.read_text().splitlines()
    future = lines.index("from __future__ import annotations")
    lines[future + 1 : future + 1] = result.header_imports
    if result.checking_imports:
        checking = lines.index("if TYPE_CHECKING:")
        lines[checking + 1 : checking + 1] = [f"    {line}" for line in result.checking_imports]
    target.write_text("\n".join(lines) + "\n" + result.text)


def commit(tree: Path, message: str) -> None:
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", message)


def diff_stat(tree: Path) -> str:
    return git(tree, "diff", "--stat", "HEAD~1", "HEAD")


def custom_lines(tree: Path) -> tuple[int, dict[str, tuple[int, int]], bool]:
    """Lines added plus deleted in generator-owned files, per file; and whether the inventory is untouched."""
    inventory = json.loads((tree / config.INVENTORY).read_text())["files"]
    per_file: dict[str, tuple[int, int]] = {}
    for line in git(tree, "diff", "--numstat", "HEAD~1", "HEAD").splitlines():
        added, deleted, path = line.split("\t")
        if path in inventory:
            per_file[path] = (int(added), int(deleted))
    changed = git(tree, "diff", "--name-only", "HEAD~1", "HEAD").split()
    return sum(a + d for a, d in per_file.values()), per_file, config.INVENTORY not in changed


def last_subprocess_ok(proc: subprocess.CompletedProcess[str]) -> bool:
    return proc.returncode == 0
