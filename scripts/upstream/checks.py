"""Upstream's own tests, lint and breaking-change check, run on a tree, with results comparable by test id."""

from __future__ import annotations

import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
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
    skipped: int = 0

    def figure(self) -> str:
        return f"{len(self.passed)} passed, {len(self.failed)} failed, {self.skipped} skipped"


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
    result = TestRun()
    if not junit.exists():
        return result
    for case in ET.parse(junit).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            result.failed.append(test_id)
        elif case.find("skipped") is not None:
            result.skipped += 1
        else:
            result.passed.append(test_id)
    return result


def node_id(tree: Path, test_id: str) -> str:
    """`tests.lib.test_x.TestY::name[p]` (JUnit) -> `tests/lib/test_x.py::TestY::name[p]` (pytest)."""
    classname, _, name = test_id.partition("::")
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = "/".join(parts[:cut]) + ".py"
        if (tree / path).is_file():
            return "::".join([path, *parts[cut:], name])
    return test_id


def newly_failing(failed: list[str], after: Path, before: Path) -> tuple[list[str], list[str]]:
    """Of the tests that failed on `after`, those that pass on the pristine `before` and fail again when
    rerun alone on `after` (newly failing), and those that passed on that rerun (flaky on this machine)."""
    existing = [
        test_id for test_id in failed if Path(before, node_id(after, test_id).split("::")[0]).is_file()
    ]
    if not existing:
        return [], []
    passing_before = set(rerun(before, existing).passed)
    candidates = [test_id for test_id in existing if test_id in passing_before]
    if not candidates:
        return [], []
    passing_again = set(rerun(after, candidates).passed)
    return [t for t in candidates if t not in passing_again], [t for t in candidates if t in passing_again]


def rerun(tree: Path, test_ids: list[str]) -> TestRun:
    """Run `test_ids` once more on `tree`, serially."""
    return run_tests(tree, config.WORK / "junit-rerun.xml", *(node_id(tree, t) for t in test_ids), workers=0)


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
