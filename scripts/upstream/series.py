"""The pull-request series: one directory per pull request under upstream/series/, built into commits.

A pull request's directory `NN-<slug>/` holds

    pr.md       the title (first line, `# <commit subject>`) and the description
    files/      new files, at their paths in the upstream tree
    *.edit      edits to upstream's hand-written files, found by anchor lines (see edits.py)
    *.codegen   edits to generator-owned files, in the same format: what the generator must emit
    codegen-files/  tests of what the generator emits, which can only run once it has

The hand-written part becomes the pull request, `NN-<slug>.patch`; the generator's part becomes
`NN-<slug>.codegen.diff` beside it, for a collaborator to port into the generator's configuration.
A patch that touches a path in upstream's generator inventory, or a codegen fragment that touches a
path outside it, stops the build.
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

    def new_tests(self, folder: str = "files") -> list[str]:
        """The test files this pull request adds (`folder="codegen-files"`: those of its codegen diff)."""
        files = self.directory / folder
        if not files.is_dir():
            return []
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


@dataclass(frozen=True)
class Built:
    """One pull request as files: its patch, and what the generator must emit for it (if anything)."""

    pull_request: PullRequest
    patch: Path
    codegen: Path | None


def build(work: Path, ruff: Path, author: str) -> list[Built]:
    """Commit each pull request's hand-written part on top of the previous ones in `work` and write it as a
    `git format-patch` file under dist/upstream/series/; write its generator part, made on top and then
    undone, as a diff beside it. Return them in order."""
    out = config.BASE.dist / "series"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*"):
        old.unlink()
    generated = tree.generated_paths(work)
    built: list[Built] = []
    for pull_request in pull_requests():
        tree.lay_in(pull_request.directory, work, ruff)
        tree.commit(work, pull_request.commit_message, author)
        inventory_hits = sorted(path for path in tree.numstat(work, "HEAD") if path in generated)
        if inventory_hits:
            raise SystemExit(
                f"{pull_request.name}: the patch touches generator-owned paths ({config.INVENTORY}): "
                f"{', '.join(inventory_hits)}; move those edits to a *.codegen fragment"
            )
        patch = out / f"{pull_request.name}.patch"
        patch.write_text(tree.git(work, "format-patch", "-1", "HEAD", "--stdout"))
        codegen = None
        edited, added = tree.lay_in_codegen(pull_request.directory, work, ruff)
        if edited or added:
            outside = sorted(path for path in edited if path not in generated)
            if outside:
                raise SystemExit(
                    f"{pull_request.name}: codegen fragments touch hand-written paths: {', '.join(outside)}"
                )
            codegen = out / f"{pull_request.name}.codegen.diff"
            tree.git(work, "add", "-N", "--", *added)
            codegen.write_text(tree.git(work, "diff"))
            tree.git(work, "reset", "-q")
            tree.git(work, "checkout", "--", ".")
            tree.git(work, "clean", "-fdq")
        built.append(Built(pull_request, patch, codegen))
    return built
