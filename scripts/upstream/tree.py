"""Upstream trees: the pinned sdist as a pristine git repository, copies of it, and what a pull request lays in."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tarfile
from pathlib import Path

from . import config, edits
from .run import run


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


def pristine(author: str) -> Path:
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
    commit(tree, f"openai {config.UPSTREAM_VERSION} (PyPI sdist)", author)
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
    tree = config.WORK / name
    shutil.rmtree(tree, ignore_errors=True)
    run(["git", "clone", "-q", str(pristine(author)), str(tree)], what="clone the pristine tree")
    return tree


def lay_in(pull_request: Path, tree: Path, ruff: Path) -> list[str]:
    """Copy the pull request's new files into `tree` and apply its edits; return the paths touched."""
    touched: list[str] = []
    files = pull_request / "files"
    for source in sorted(files.rglob("*")) if files.is_dir() else []:
        if source.is_file() and "__pycache__" not in source.parts:
            relative = str(source.relative_to(files))
            (tree / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tree / relative)
            touched.append(relative)
    touched += [path for path in edits.apply_all(pull_request, tree) if path not in touched]
    # Upstream's own ruff settles import order (its isort sorts by length) wherever we added imports,
    # and lays out the hand-written Python files; generated files keep the generator's layout.
    python = [path for path in touched if path.endswith(".py")]
    hand_written = [path for path in python if path not in generated_paths(tree)]
    run([str(ruff), "check", "--fix", "--select", "I", "-q", *python], cwd=tree, check=False)
    if hand_written:
        run([str(ruff), "format", "-q", *hand_written], cwd=tree)
    return touched


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
