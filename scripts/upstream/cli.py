"""`scripts/upstream-patch`: the upstream pull-request series and the fork, generated from this repository."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import checks, config, env, fork, series, tree
from .run import log_path, run, say


@dataclass
class Verdict:
    """What the checks found for one pull request (or, as `total`, for the whole series)."""

    name: str
    applied: bool = False
    targets: str = "n/a"
    tests: str = "n/a"
    failed: int = 0
    newly_failing: list[str] = field(default_factory=list[str])
    flaky: list[str] = field(default_factory=list[str])
    series_failing: list[str] = field(default_factory=list[str])
    failing_on_base: dict[str, int] = field(default_factory=dict[str, int])
    """Tests that fail the same way on the pristine base: how many, by cause."""
    failing_on_base_otherwise: int = 0
    """Tests that fail on the pristine base too, but with another error."""
    pydantic1: str = "n/a"
    py310: str = "n/a"
    lint: list[str] = field(default_factory=list[str])
    breaking: list[str] = field(default_factory=list[str])
    custom_lines: int = 0
    added: int = 0
    deleted: int = 0

    def ok(self) -> bool:
        return (
            self.applied
            and not self.newly_failing
            and not self.series_failing
            and self.pydantic1.startswith("ok")
            and self.py310.startswith("ok")
            and not self.lint
            and not self.breaking
        )

    def fields(self) -> str:
        return " ".join(
            [
                f"applied={'yes' if self.applied else 'no'}",
                f"newly_failing={len(self.newly_failing) + len(self.series_failing)}",
                f"pydantic1={self.pydantic1.split(' ')[0]}",
                f"py310={self.py310.split(' ')[0]}",
                f"lint={'clean' if not self.lint else 'FAILED(' + ','.join(self.lint) + ')'}",
                f"breaking={'none' if not self.breaking else len(self.breaking)}",
                f"custom_lines={self.custom_lines}",
            ]
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/upstream-patch", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--fork", action="store_true", help="also build the fork branch and its wheel (no proof)"
    )
    mode.add_argument(
        "--check", action="store_true", help="prove each pull request upstream, then build the fork"
    )
    parser.add_argument(
        "--base", metavar="X.Y.Z", help="the openai release to build on (default: the newest)"
    )
    parser.add_argument(
        "--names",
        choices=sorted(config.NAMINGS),
        help="build with another naming of the first pull request's classes (3723: #3723's names)",
    )
    parser.add_argument("--author", help='"Name <email>" for the commits (default: your git config)')
    parser.add_argument(
        "--if-available",
        action="store_true",
        help="when the package index or the upstream sdist cannot be reached, say so plainly and exit 0 (for CI)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        config.use_base(args.base or tree.newest_release(), args.names)
        config.BASE.work.mkdir(parents=True, exist_ok=True)
        log_path().write_text("")
        tree.sdist()
    except SystemExit as exc:
        if not args.if_available:
            raise
        print(f"upstream: SKIPPED, openai {args.base or '(newest)'} cannot be downloaded here: {exc}")
        return 0
    author = args.author or _git_author()
    pristine = tree.pristine(author)
    say(
        f"base openai {config.BASE.version}: {tree.verify_inventory(pristine)} generated files match their sha256"
    )

    say("building the series")
    built = series.build(tree.fresh_copy("series", author), env.ruff(pristine), author)
    for item in built:
        extra = f" (+ {item.codegen.name})" if item.codegen else ""
        say(f"{item.patch.relative_to(config.ROOT)}{extra}: {item.pull_request.title}")
    say("applying the patches with git am and the codegen diffs with git apply, in order")
    fork_tree = fork.assemble(built, author)
    if args.check:
        return _prove(built, fork_tree, author, started)
    _write_descriptions(built, {})
    codegen = sum(item.codegen is not None for item in built)
    line = f"upstream: prs={len(built)} codegen_diffs={codegen} applied=yes"
    if args.fork:
        label, wheel_ok = _build_fork(fork_tree, author, smoke_git=False)[:2]
        line += f" fork={label} wheel={'ok' if wheel_ok else 'FAILED'}"
        if not wheel_ok:
            print(
                f"upstream-patch: the fork's wheel failed its checks (details in {config.BASE.dist}/smoke-wheel.txt)"
            )
            print(f"{line} time={round(time.monotonic() - started)}s version={config.BASE.version}")
            return 1
    print(f"{line} time={round(time.monotonic() - started)}s version={config.BASE.version}")
    return 0


def _build_fork(fork_tree: Path, author: str, *, smoke_git: bool) -> tuple[str, bool, bool, dict[str, str]]:
    """Give the fork its version, publish its branch and build its wheel; run upstream/smoke.py where the
    wheel (and, with `smoke_git`, the git branch) is pip-installed. Returns the version, whether the wheel
    and the git install passed, and what the checks printed."""
    label = fork.commit_version(fork_tree, author)
    bare = fork.publish(fork_tree)
    say(f"fork: {bare.relative_to(config.ROOT)} branch {config.FORK_BRANCH} ({label})")
    smoke: dict[str, str] = {}
    git_ok = True
    if smoke_git:
        say("fork: pip install from its git branch in a fresh venv")
        git_ok, smoke["fork"] = fork.smoke("fork", fork.requirement(bare), label)
    wheel = fork.build_wheel(fork_tree)
    say(f"wheel: {wheel.relative_to(config.ROOT)}; pip install in a fresh venv")
    wheel_ok, smoke["wheel"] = fork.smoke("wheel", str(wheel), label)
    (config.BASE.dist / "smoke-wheel.txt").write_text(smoke["wheel"] + "\n")
    return label, wheel_ok, git_ok, smoke


def _prove(built: list[series.Built], fork_tree: Path, author: str, started: float) -> int:
    """Apply the series with `git am`, check each pull request, then build and install the fork."""
    before = _before_tree(author)
    work = tree.fresh_copy("check", author)
    base = tree.git(work, "rev-parse", "HEAD").strip()
    say("upstream's environments in the check tree: default, pydantic-v1, Python 3.10")
    env.refresh_lock(work)
    env.sync(work)
    lanes = {
        "pydantic1": env.sync(work, config.BASE.work / "venv-pydantic-v1", groups=("dev", "pydantic-v1"))
    }
    py310 = env.python310()
    if py310:
        lanes["py310"] = env.sync(work, config.BASE.work / "venv-py310", interpreter=py310)
    ty_before = checks.ty_diagnostics(before)

    verdicts: list[Verdict] = []
    new_tests: list[str] = []
    for index, item in enumerate(built):
        pull_request = item.pull_request
        verdict = Verdict(pull_request.name)
        verdicts.append(verdict)
        say(f"{pull_request.name}: git am")
        verdict.applied = run(["git", "am", "-q", str(item.patch)], cwd=work, check=False).returncode == 0
        if not verdict.applied:
            run(["git", "am", "--abort"], cwd=work, check=False)
            break
        own_tests = pull_request.new_tests()
        new_tests += own_tests
        last = index == len(built) - 1
        _check(
            verdict,
            pull_request,
            work=work,
            before=before,
            base=base,
            ty_before=ty_before,
            new_tests=new_tests,
            own_tests=own_tests,
            full_suite=last,
            lanes=lanes,
        )
        for test_id in verdict.flaky:
            print(f"upstream[{pull_request.name}]: flaky, not counted: {test_id}", flush=True)
        print(
            f"upstream[{pull_request.name}]: {verdict.fields()} lines=+{verdict.added}/-{verdict.deleted}",
            flush=True,
        )

    total = _total(verdicts, len(built))
    codegen = "n/a"
    if total.applied:
        codegen = _check_codegen(built, work, new_tests)
        print(f"upstream[codegen]: {codegen}", flush=True)
    fork_ok = wheel_ok = False
    smoke: dict[str, str] = {}
    label = "none"
    if total.applied:
        label, wheel_ok, fork_ok, smoke = _build_fork(fork_tree, author, smoke_git=True)
    _write_descriptions(built, {v.name: v for v in verdicts})
    seconds = round(time.monotonic() - started)
    line = (
        f"upstream: prs={len(built)} base=pristine {total.fields()} "
        f"fork={'ok' if fork_ok else 'FAILED'} wheel={'ok' if wheel_ok else 'FAILED'} "
        f"codegen={codegen.split(' ')[0]} flaky={len(total.flaky)} time={seconds}s version={config.BASE.version} fork_version={label}"
    )
    summary: dict[str, Any] = {"verdicts": [vars(v) for v in verdicts], "smoke": smoke, "last_line": line}
    (config.BASE.dist / "summary.json").write_text(json.dumps(summary, indent=1))
    shutil.copyfile(log_path(), config.BASE.dist / "upstream-patch.log")
    ok = total.ok() and codegen.startswith("ok") and fork_ok and wheel_ok
    if not ok:
        print(json.dumps(summary, indent=1)[-6000:])
        print("upstream-patch: checks failed (details in dist/upstream/summary.json and upstream-patch.log)")
    print(line)
    return 0 if ok else 1


def _check_codegen(built: list[series.Built], work: Path, new_tests: list[str]) -> str:
    """Apply every codegen diff on the series (uncommitted), run the series' tests and the codegen diffs'
    own tests there, then undo it: what a collaborator gets after regenerating."""
    diffs = [item.codegen for item in built if item.codegen is not None]
    codegen_tests = [test for item in built for test in item.pull_request.new_tests("codegen-files")]
    for diff in diffs:
        run(["git", "apply", str(diff)], cwd=work, what=f"git apply {diff.name}")
    try:
        result = checks.run_tests(work, config.BASE.work / "junit-codegen.xml", *new_tests, *codegen_tests)
    finally:
        run(["git", "checkout", "--", "."], cwd=work)
        run(["git", "clean", "-fdq", "--", "src", "tests"], cwd=work)
    ok = result.passed and not result.failed
    return f"{'ok' if ok else 'FAILED'} ({len(diffs)} diffs applied; the series' and their own tests: {result.figure()})"


def _git_author() -> str:
    """The user's git identity: their git config, else the author of this repository's HEAD."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=config.ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    name, email = git("config", "user.name"), git("config", "user.email")
    if name and email:
        return f"{name} <{email}>"
    head = git("log", "-1", "--format=%an <%ae>")
    if head:
        return head
    raise SystemExit("no git identity: set git config user.name and user.email, or pass --author")


def _before_tree(author: str) -> Path:
    """The pristine tree with upstream's environment (kept between runs; its ruff also formats the series)."""
    before = config.BASE.work / "before"
    if not (before / ".venv" / "bin" / "ruff").exists():
        say("uv sync in the pristine tree")
        before = tree.fresh_copy("before", author)
        env.refresh_lock(before)
        env.sync(before)
    return before


def _check(
    verdict: Verdict,
    pull_request: series.PullRequest,
    *,
    work: Path,
    before: Path,
    base: str,
    ty_before: list[str],
    new_tests: list[str],
    own_tests: list[str],
    full_suite: bool,
    lanes: dict[str, Path],
) -> None:
    counts = tree.numstat(work, "HEAD")
    verdict.added = sum(added for added, _ in counts.values())
    verdict.deleted = sum(deleted for _, deleted in counts.values())
    verdict.custom_lines = tree.custom_lines(work, counts)
    if config.INVENTORY in counts:
        verdict.lint.append("inventory-edited")

    if full_suite:
        targets = list(checks.OFFLINE)
        verdict.targets = f"the whole offline suite (`pytest {' '.join(targets)}`)"
    else:
        targets = [*_affected(pull_request), *new_tests]
        verdict.targets = (
            f"its `tests.txt` (`{' '.join(_affected(pull_request))}`) and the series' new tests so far"
        )
    say(f"{pull_request.name}: upstream's tests ({verdict.targets})")
    result = checks.run_tests(work, config.BASE.work / f"junit-{pull_request.name}.xml", *targets)
    verdict.tests = result.figure()
    verdict.failed = len(result.failed)
    verdict.series_failing = [t for t in result.failed if _test_file(work, t) in new_tests]
    others = {t: result.causes[t] for t in result.failed if t not in verdict.series_failing}
    comparison = checks.compare(others, work, before)
    verdict.newly_failing, verdict.flaky = comparison.newly_failing, comparison.flaky
    for cause in comparison.failing_on_base.values():
        verdict.failing_on_base[cause] = verdict.failing_on_base.get(cause, 0) + 1
    verdict.failing_on_base_otherwise = len(comparison.failing_on_base_otherwise)

    say(f"{pull_request.name}: the series' tests on the pydantic-v1 lane and on Python 3.10")
    verdict.pydantic1 = _lane(
        work, lanes["pydantic1"], new_tests, own_tests, f"{pull_request.name}-pydantic1"
    )
    verdict.py310 = (
        _lane(work, lanes["py310"], new_tests, own_tests, f"{pull_request.name}-py310")
        if "py310" in lanes
        else "missing (no Python 3.10 on this machine)"
    )

    say(f"{pull_request.name}: ruff check ., ty check, import openai, breaking-change check")
    ruff_ok, _ = checks.ruff(work)
    if not ruff_ok:
        verdict.lint.append("ruff")
    new_ty = checks.new_diagnostics(checks.ty_diagnostics(work), ty_before)
    if new_ty:
        verdict.lint.append(f"ty+{len(new_ty)}")
    if not checks.imports(work):
        verdict.lint.append("import")
    verdict.breaking = checks.breaking_changes(work, base)


def _affected(pull_request: series.PullRequest) -> list[str]:
    """Upstream's own tests this pull request could affect, listed in its `tests.txt`."""
    listed = pull_request.directory / "tests.txt"
    return [
        line.strip() for line in listed.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]


def _test_file(work: Path, test_id: str) -> str:
    return checks.node_id(work, test_id).split("::")[0]


def _lane(work: Path, python: Path, new_tests: list[str], own_tests: list[str], name: str) -> str:
    """Run the series' new tests so far with `python`; report this pull request's own apart from the
    earlier ones'."""
    result = checks.run_tests(work, config.BASE.work / f"junit-{name}.xml", *new_tests, python=python)
    ok = result.passed and not result.failed
    own = result.only(lambda test_id: _test_file(work, test_id) in own_tests)
    text = f"{'ok' if ok else 'FAILED'} (its own new tests: {own.figure()}"
    earlier = result.only(lambda test_id: _test_file(work, test_id) not in own_tests)
    if earlier.passed or earlier.failed or earlier.skipped:
        text += f"; the earlier pull requests' new tests, run again: {earlier.figure()}"
    return text + ")"


def _total(verdicts: list[Verdict], expected: int) -> Verdict:
    total = Verdict("total", applied=len(verdicts) == expected and all(v.applied for v in verdicts))
    for v in verdicts:
        total.newly_failing += v.newly_failing
        total.series_failing += v.series_failing
        total.flaky += v.flaky
        total.lint += v.lint
        total.breaking += v.breaking
        total.custom_lines += v.custom_lines
    total.pydantic1 = "ok" if verdicts and all(v.pydantic1.startswith("ok") for v in verdicts) else "FAILED"
    total.py310 = "ok" if verdicts and all(v.py310.startswith("ok") for v in verdicts) else "FAILED"
    return total


def _write_descriptions(built: list[series.Built], verdicts: dict[str, Verdict]) -> None:
    """`NN-<slug>.md` beside each patch: the description, then the evidence this run measured."""
    for item in built:
        pull_request, patch = item.pull_request, item.patch
        text = f"# {pull_request.title}\n\n{pull_request.description}\n"
        verdict = verdicts.get(pull_request.name)
        if verdict is not None:
            text += _evidence(verdict)
        patch.with_suffix(".md").write_text(text)


def _evidence(v: Verdict) -> str:
    return f"""
## Test evidence

Measured by `scripts/upstream-patch --check` on this patch applied with `git am` on top of the
pull requests before it (without any codegen diff), on openai {config.BASE.version} as published on PyPI:

- upstream's tests run for this change, {v.targets}: {v.tests}.{_failures(v)}
- the series' new tests so far under the pydantic-v1 lane (`scripts/test-pydantic-v1`'s environment): {v.pydantic1}
- the same on Python 3.10: {v.py310}
- `ruff check .`, `ty check`, `python -c 'import openai'`: {"clean" if not v.lint else ", ".join(v.lint)}
- breaking-change check: {"nothing found" if not v.breaking else f"{len(v.breaking)} errors"}. `scripts/detect-breaking-changes`
  needs Node 22.22.3, which this machine lacks, so its two steps were run as written with the same pyright
  release ({config.PYRIGHT_VERSION}, from npm) on Node 20: pyright over `scripts/pyrightconfig.breaking-changes.json`
  on this tree, then on the base revision's `tests/` against this tree's `src/`.
- lines changed: +{v.added}/-{v.deleted}; in generator-owned files (custom lines): {v.custom_lines}
"""


_KNOWN_CAUSES = {
    "APIConnectionError": "upstream's mock server, which these tests call, is not running",
    "APITimeoutError": "upstream's mock server, which these tests call, is not running",
    "StorageLookupError": "inline-snapshot's stored snapshots are not in the sdist",
    "FileNotFoundError .github/": "the sdist has no `.github/`",
}
"""Why a test that fails on the pristine base fails, for the causes `checks.cause` finds in this run."""


def _failures(v: Verdict) -> str:
    """What became of the tests that failed, rerun on the pristine base and alone: sub-items of the
    tests' line, or a sentence ending it when nothing failed."""
    if not v.failed:
        return " Nothing failed."
    groups: dict[str, list[str]] = {}
    for cause in v.failing_on_base:
        why = next((why for known, why in _KNOWN_CAUSES.items() if cause.startswith(known)), "")
        groups.setdefault(why, []).append(cause)
    lines = [
        f"{sum(v.failing_on_base.values())} fail the same way on the pristine base (rerun there), by cause:",
        *(
            f"    - {sum(v.failing_on_base[c] for c in causes)}: {' / '.join(f'`{c}`' for c in causes)}"
            + (f" ({why})" if why else "")
            for why, causes in sorted(groups.items(), key=lambda g: -sum(v.failing_on_base[c] for c in g[1]))
        ),
    ]
    if v.failing_on_base_otherwise:
        lines.append(f"{v.failing_on_base_otherwise} fail on the pristine base too, with another error")
    if v.flaky:
        lines.append(f"{len(v.flaky)} passed when rerun alone (machine load)")
    if v.series_failing:
        lines.append(f"{len(v.series_failing)} of the series' own tests failed")
    lines.append(f"newly failing against the base: {len(v.newly_failing)}")
    return "".join(f"\n{line}" if line.startswith("    - ") else f"\n  - {line}" for line in lines)
