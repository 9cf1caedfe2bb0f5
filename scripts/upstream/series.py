"""The pull-request series: one directory per pull request under upstream/series/, built into commits.

A pull request's directory `NN-<slug>/` holds

    pr.md       the title (first line, `# <commit subject>`) and the description
    files/      new files, at their paths in the upstream tree
    *.edit      edits to upstream files, found by anchor lines (see edits.py)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import config, tree

_NAME = re.compile(r"(\d\d)-([a-z0-9-]+)")


@dataclass(frozen=True)
class PullRequest:
    directory: Path

    @property
    def name(self) -> str:
        return self.directory.name

    @property
    def title(self) -> str:
        first = (self.directory / "pr.md").read_text().splitlines()[0]
        if not first.startswith("# "):
            raise SystemExit(f"{self.name}/pr.md must start with '# <title>'")
        return first[2:].strip()

    @property
    def description(self) -> str:
        return (self.directory / "pr.md").read_text().split("\n", 1)[1].strip()

    @property
    def commit_message(self) -> str:
        """The title, then the description's first paragraph (its summary)."""
        return f"{self.title}\n\n{self.description.split(chr(10) * 2, 1)[0]}\n"

    def new_tests(self) -> list[str]:
        files = self.directory / "files"
        return sorted(
            str(path.relative_to(files))
            for path in files.rglob("test_*.py")
            if "__pycache__" not in path.parts
        )


def pull_requests() -> list[PullRequest]:
    found = sorted(path for path in config.SERIES.iterdir() if path.is_dir() and _NAME.fullmatch(path.name))
    if not found:
        raise SystemExit(f"no pull requests under {config.SERIES}")
    return [PullRequest(path) for path in found]


def build(work: Path, ruff: Path, author: str) -> list[tuple[PullRequest, Path]]:
    """Commit each pull request on top of the previous one in `work`; write each as a `git format-patch`
    file under dist/upstream/series/ and return them in order."""
    out = config.DIST / "series"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*"):
        old.unlink()
    built: list[tuple[PullRequest, Path]] = []
    for pull_request in pull_requests():
        tree.lay_in(pull_request.directory, work, ruff)
        tree.commit(work, pull_request.commit_message, author)
        patch = out / f"{pull_request.name}.patch"
        patch.write_text(tree.git(work, "format-patch", "-1", "HEAD", "--stdout"))
        built.append((pull_request, patch))
    return built
