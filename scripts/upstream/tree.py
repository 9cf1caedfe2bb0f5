"""Upstream trees: the pinned sdist as a pristine git repository, copies of it, and what a pull request lays in."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from . import config, edits
from .run import run


def newest_release() -> str:
    """The newest openai release on the package index pip is configured with."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "openai", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.match(r"openai \(([^)]+)\)", proc.stdout.strip())
    if found is None:
        said = (proc.stdout + proc.stderr).strip()[-300:]
        raise SystemExit(f"cannot learn openai's newest release (pip index versions openai): {said}")
    return found[1]


def sdist() -> Path:
    """The base release's sdist, downloaded once into the scratch directory."""
    target = config.BASE.work / f"openai-{config.BASE.version}.tar.gz"
    if not target.exists():
        config.BASE.work.mkdir(parents=True, exist_ok=True)
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
                str(config.BASE.work),
                f"openai=={config.BASE.version}",
            ],
            what="download the openai sdist",
        )
    return target


def pristine(author: str) -> Path:
    """The sdist extracted into a git repository with one commit (never modified afterwards)."""
    tree = config.BASE.work / "pristine"
    if (tree / ".git").exists():
        return tree
    shutil.rmtree(tree, ignore_errors=True)
    extracted = config.BASE.work / "extract"
    shutil.rmtree(extracted, ignore_errors=True)
    with tarfile.open(sdist()) as archive:
        archive.extractall(extracted, filter="data")
    (extracted / f"openai-{config.BASE.version}").rename(tree)
    extracted.rmdir()
    git(tree, "init", "-q", "-b", "main")
    git(tree, "add", "-A", "-f")
    commit(tree, f"openai {config.BASE.version} (PyPI sdist)", author)
    return tree


def git(tree: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return run(["git", "-c", "core.autocrlf=false", *args], cwd=tree, env=env, what=f"git {args[0]}").stdout


def commit(tree: Path, message: str, author: str, paths: tuple[str, ...] = ()) -> None:
    """Commit `paths` (every change when none are named) as `author` ("Name <email>"), author and committer."""
    name, _, email = author.partition(" <")
    identity = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email.rstrip(">"),
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email.rstrip(">"),
    }
    git(tree, "add", "-A", "--", *paths)
    git(tree, "commit", "-q", "-m", message, env=identity)


def verify_inventory(tree: Path) -> int:
    """Every generator-owned path matches its sha256; return how many were checked."""
    inventory = generated_paths(tree)
    bad = [
        path
        for path, digest in inventory.items()
        if not (tree / path).is_file() or hashlib.sha256((tree / path).read_bytes()).hexdigest() != digest
    ]
    if bad:
        raise SystemExit(f"upstream base is NOT pristine: {len(bad)} generated files differ, e.g. {bad[:5]}")
    return len(inventory)


def generated_paths(tree: Path) -> dict[str, str]:
    """The generator-owned paths and their sha256, from upstream's own inventory."""
    files = json.loads((tree / config.INVENTORY).read_text())["files"]
    return {path: entry["sha256"] for path, entry in files.items()}


def fresh_copy(name: str, author: str) -> Path:
    """A new clone of the pristine tree, to change."""
    tree = config.BASE.work / name
    shutil.rmtree(tree, ignore_errors=True)
    run(["git", "clone", "-q", str(pristine(author)), str(tree)], what="clone the pristine tree")
    return tree


def lay_in(pull_request: Path, tree: Path, ruff: Path) -> list[str]:
    """Copy the pull request's new files into `tree` and apply its hand-written edits; return the paths
    touched."""
    touched = _copy_files(pull_request / "files", tree)
    touched += [path for path in edits.apply_all(pull_request, tree, "edit") if path not in touched]
    _rename(tree, touched)
    _lay_out(tree, touched, ruff)
    return touched


def _rename(tree: Path, paths: list[str]) -> None:
    """Give the series' classes the names `--names` chose, in every file the pull request touched."""
    for path in paths if config.BASE.renames else []:
        (tree / path).write_text(edits.renamed((tree / path).read_text()))


def lay_in_codegen(pull_request: Path, tree: Path, ruff: Path) -> tuple[list[str], list[str]]:
    """Apply the pull request's `*.codegen` fragments (what the generator must emit) and copy in its
    `codegen-files/` (the tests of what it emits); return the paths edited and the files added."""
    edited = edits.apply_all(pull_request, tree, "codegen")
    added = _copy_files(pull_request / "codegen-files", tree)
    _rename(tree, edited + added)
    _lay_out(tree, edited + added, ruff)
    return edited, added


def _copy_files(files: Path, tree: Path) -> list[str]:
    copied: list[str] = []
    for source in sorted(files.rglob("*")) if files.is_dir() else []:
        if source.is_file() and "__pycache__" not in source.parts:
            relative = str(source.relative_to(files))
            (tree / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tree / relative)
            copied.append(relative)
    return copied


def _lay_out(tree: Path, touched: list[str], ruff: Path) -> None:
    """Upstream's own ruff settles import order (its isort sorts by length) wherever we added imports,
    and lays out the hand-written Python files; generated files keep the generator's layout."""
    python = [path for path in touched if path.endswith(".py")]
    if not python:
        return
    hand_written = [path for path in python if path not in generated_paths(tree)]
    run([str(ruff), "check", "--fix", "--select", "I", "-q", *python], cwd=tree, check=False)
    if hand_written:
        run([str(ruff), "format", "-q", *hand_written], cwd=tree)


def numstat(tree: Path, revision: str) -> dict[str, tuple[int, int]]:
    """Lines added and deleted per path by one commit."""
    counts: dict[str, tuple[int, int]] = {}
    for line in git(tree, "show", "--numstat", "--format=", revision).splitlines():
        added, deleted, path = line.split("\t")
        counts[path] = (int(added), int(deleted))
    return counts


def custom_lines(tree: Path, counts: dict[str, tuple[int, int]]) -> int:
    """Lines added plus deleted in generator-owned files (upstream's custom-code ratchet counts them so)."""
    generated = generated_paths(tree)
    return sum(added + deleted for path, (added, deleted) in counts.items() if path in generated)
