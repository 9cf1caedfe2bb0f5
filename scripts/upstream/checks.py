"""Upstream's own tests, lint and breaking-change check, run on a tree, with results comparable by test id."""

from __future__ import annotations

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import config, env
from .run import run

OFFLINE = ("tests", "--ignore=tests/api_resources")
"""Upstream's tests but those that need its mock server."""


@dataclass
class TestRun:
    passed: list[str] = field(default_factory=list[str])
    failed: list[str] = field(default_factory=list[str])
    skipped: list[str] = field(default_factory=list[str])
    causes: dict[str, str] = field(default_factory=dict[str, str])
    """The first line of each failed test's error, by test id."""

    def figure(self) -> str:
        return f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.skipped)} skipped"

    def only(self, keep: Callable[[str], bool]) -> TestRun:
        """The results of the tests whose id `keep` accepts."""
        return TestRun(
            [t for t in self.passed if keep(t)],
            [t for t in self.failed if keep(t)],
            [t for t in self.skipped if keep(t)],
            {t: cause for t, cause in self.causes.items() if keep(t)},
        )


def run_tests(
    tree: Path, junit: Path, *targets: str, python: Path | None = None, workers: int = 2
) -> TestRun:
    """Run upstream's pytest on `targets` with `python` (default: the tree's own environment), with xdist
    on `workers` (0 runs serially)."""
    parallel = ["-n", str(workers)] if workers else ["-p", "no:xdist"]
    junit.unlink(missing_ok=True)
    run(
        [
            str(python or env.tool(tree, "python")),
            "-m",
            "pytest",
            "-o",
            "addopts=",
            *parallel,
            "-p",
            "no:cacheprovider",
            "--tb=short",
            "-q",
            f"--junitxml={junit}",
            *targets,
        ],
        cwd=tree,
        env={"DEFER_PYDANTIC_BUILD": "false"},
        check=False,
        timeout=config.TEST_TIMEOUT_S,
    )
    return parse_junit(junit)


def parse_junit(junit: Path) -> TestRun:
    """Each test once: pytest writes a second entry for a test whose teardown fails, and a failure in
    either entry makes the test failed, with the first error as its cause."""
    result = TestRun()
    if not junit.exists():
        return result
    outcomes: dict[str, list[str]] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            result.causes.setdefault(test_id, (problem.get("message") or "").partition("\n")[0])
            outcomes[test_id] = result.failed
        elif test_id not in outcomes:
            outcomes[test_id] = result.skipped if case.find("skipped") is not None else result.passed
    for test_id, outcome in outcomes.items():
        outcome.append(test_id)
    return result


def node_id(tree: Path, test_id: str) -> str:
    """`tests.lib.test_x.TestY::name[p]` (JUnit) -> `tests/lib/test_x.py::TestY::name[p]` (pytest); a
    module that could not be collected, `::tests.lib.test_x`, -> `tests/lib/test_x.py`."""
    classname, _, name = test_id.partition("::")
    if not classname:
        classname, name = name, ""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = "/".join(parts[:cut]) + ".py"
        if (tree / path).is_file():
            return "::".join([path, *parts[cut:], *([name] if name else [])])
    return test_id


@dataclass
class Comparison:
    """Tests that failed on a tree, sorted by what a rerun found."""

    newly_failing: list[str] = field(default_factory=list[str])
    """Fail again when rerun alone, and do not fail on the pristine base."""
    flaky: list[str] = field(default_factory=list[str])
    """Passed when rerun alone here, or failed on a later rerun of the pristine tree too (machine load)."""
    failing_on_base: dict[str, str] = field(default_factory=dict[str, str])
    """Fail the same way on the pristine base: each one's `cause` in the run compared, by test id."""
    failing_on_base_otherwise: list[str] = field(default_factory=list[str])
    """Fail on the pristine base too, with another error."""


def compare(failed: dict[str, str], after: Path, before: Path) -> Comparison:
    """Sort the tests that failed on `after` (their first error line, by test id): rerun them on the
    pristine `before`; those that do not fail there, rerun on both trees, `RERUN_ROUNDS` times at most."""
    comparison = Comparison()
    existing = [t for t in failed if Path(before, node_id(after, t).split("::")[0]).is_file()]
    on_base = rerun(before, existing) if existing else TestRun()
    also_on_base = [t for t in existing if t in on_base.causes]
    # A test's error can depend on the tests run before it, and the base ran it alone: where the errors
    # differ, the test's error when run alone here is the one to compare.
    differ = [t for t in also_on_base if cause(failed[t], after) != cause(on_base.causes[t], before)]
    alone = rerun(after, differ) if differ else TestRun()
    for test_id in also_on_base:
        if cause(alone.causes.get(test_id, failed[test_id]), after) == cause(on_base.causes[test_id], before):
            comparison.failing_on_base[test_id] = cause(failed[test_id], after)
        else:
            comparison.failing_on_base_otherwise.append(test_id)
    candidates = [t for t in failed if t not in also_on_base]
    # Each round reruns what is left on the patched tree alone, and what fails there again on the
    # pristine tree too: a test counts as newly failing only if every rerun here fails while every one
    # there passes (a machine under load can fail a timing-sensitive test twice in a row).
    for _ in range(RERUN_ROUNDS):
        if not candidates:
            break
        again = rerun(after, candidates)
        # Flaky only if the rerun ran it and it did not fail: one the rerun could not run still counts.
        ran_clean = set(again.passed + again.skipped) - set(again.causes)
        comparison.flaky += [t for t in candidates if t in ran_clean]
        candidates = [t for t in candidates if t not in ran_clean]
        if not candidates:
            break
        on_base_again = rerun(before, candidates)
        for test_id in [t for t in candidates if t in on_base_again.causes]:
            comparison.flaky.append(test_id)
        candidates = [t for t in candidates if t not in on_base_again.causes]
    comparison.newly_failing = candidates
    return comparison


RERUN_ROUNDS = 2
"""How many times a test that failed after a patch is rerun on both trees before it counts."""


_EXCEPTION = re.compile(r"^(?:[\w.]*\.)?(\w+(?:Error|Exception|Timeout)\w*)\b")


def cause(message: str, tree: Path) -> str:
    """What a failure's first error line says, without what varies from test to test: the exception's
    class, and for a missing file the file (relative to `tree`)."""
    found = _EXCEPTION.match(message)
    if found is None:
        return message[:80] or "no error message"
    name = found.group(1)
    missing = re.search(r"No such file or directory: '([^']+)'", message)
    if missing:
        return f"{name} {missing.group(1).removeprefix(f'{tree}/')}"
    return name


def rerun(tree: Path, test_ids: list[str]) -> TestRun:
    """Run `test_ids` once more on `tree`, serially."""
    return run_tests(
        tree, config.BASE.work / "junit-rerun.xml", *(node_id(tree, t) for t in test_ids), workers=0
    )


_LOCATION = re.compile(r":\d+:\d+:")


def ty_diagnostics(tree: Path) -> list[str]:
    """`ty check` diagnostics with line numbers dropped, so that the same finding compares equal across trees."""
    proc = run([str(env.tool(tree, "ty")), "check", "--output-format", "concise"], cwd=tree, check=False)
    lines = [line for line in proc.stdout.splitlines() if _LOCATION.search(line)]
    return sorted(_LOCATION.sub(":", line) for line in lines)


def new_diagnostics(after: list[str], before: list[str]) -> list[str]:
    remaining = list(before)
    new: list[str] = []
    for diagnostic in after:
        if diagnostic in remaining:
            remaining.remove(diagnostic)
        else:
            new.append(diagnostic)
    return new


def ruff(tree: Path) -> tuple[bool, str]:
    proc = run([str(env.tool(tree, "ruff")), "check", "."], cwd=tree, check=False)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def imports(tree: Path) -> bool:
    return run([str(env.tool(tree, "python")), "-c", "import openai"], cwd=tree, check=False).returncode == 0


BREAKING_CONFIG = "scripts/pyrightconfig.breaking-changes.json"


def breaking_changes(tree: Path, base: str) -> list[str]:
    """Upstream's `scripts/detect-breaking-changes <base>`, step for step: pyright (upstream's pinned
    release) over its configuration, first on the tree's own callers, then on the base revision's tests
    against the tree's `src`. Returns pyright's error lines; empty means no breaking change."""
    pyright = str(env.pyright())
    python = str(env.tool(tree, "python"))
    errors = _pyright_errors(tree, pyright, python, tree / BREAKING_CONFIG)
    with tempfile.TemporaryDirectory() as scratch:
        snapshot = Path(scratch)
        archive = run(["git", "archive", "--output", str(snapshot / "tests.tar"), base, "tests"], cwd=tree)
        del archive
        run(["tar", "-xf", "tests.tar"], cwd=snapshot)
        (snapshot / "src").symlink_to(tree / "src")
        (snapshot / "scripts").mkdir()
        shutil.copyfile(tree / BREAKING_CONFIG, snapshot / BREAKING_CONFIG)
        errors += _pyright_errors(snapshot, pyright, python, snapshot / BREAKING_CONFIG)
    return errors


def _pyright_errors(cwd: Path, pyright: str, python: str, project: Path) -> list[str]:
    proc = run(["node", pyright, "-p", str(project), "--pythonpath", python], cwd=cwd, check=False)
    errors = [line.strip() for line in proc.stdout.splitlines() if " - error:" in line]
    if proc.returncode != 0 and not errors:
        errors.append(f"pyright exited {proc.returncode}: {(proc.stdout + proc.stderr).strip()[-300:]}")
    return errors
