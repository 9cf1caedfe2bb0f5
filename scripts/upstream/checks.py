"""Upstream's own tests and lint, run on a tree, with results comparable between trees by id."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from . import config, env
from .run import run

PORTED_TESTS_DIR = "tests/lib/responses"


@dataclass
class TestRun:
    passed: list[str] = field(default_factory=list[str])
    failed: list[str] = field(default_factory=list[str])
    skipped: int = 0

    def figure(self) -> str:
        return f"{len(self.passed)}/{len(self.failed)}"


def tests(tree: Path, junit: Path, *paths: str) -> TestRun:
    """Upstream's offline tests (all but tests/api_resources, which needs the mock server), xdist on 2 workers."""
    python = env.tool(tree, "python")
    targets = list(paths) or ["tests", "--ignore=tests/api_resources"]
    run(
        [
            str(python),
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "-n",
            "2",
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


_LOCATION = re.compile(r":\d+:\d+:")


def ty_diagnostics(tree: Path) -> list[str]:
    """`ty check` diagnostics with line numbers dropped, so that the same finding compares equal across trees."""
    proc = run([str(env.tool(tree, "ty")), "check", "--output-format", "concise"], cwd=tree, check=False)
    lines = [line for line in proc.stdout.splitlines() if _LOCATION.search(line)]
    return sorted(_LOCATION.sub(":", line) for line in lines)


def ruff(tree: Path) -> tuple[bool, str]:
    proc = run([str(env.tool(tree, "ruff")), "check", "."], cwd=tree, check=False)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def imports(tree: Path) -> bool:
    return run([str(env.tool(tree, "python")), "-c", "import openai"], cwd=tree, check=False).returncode == 0


def node_id(tree: Path, test_id: str) -> str:
    """`tests.lib.test_x.TestY::name[p]` (JUnit) -> `tests/lib/test_x.py::TestY::name[p]` (pytest)."""
    classname, _, name = test_id.partition("::")
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        path = "/".join(parts[:cut]) + ".py"
        if (tree / path).is_file():
            return "::".join([path, *parts[cut:], name])
    return test_id


def still_failing(tree: Path, test_ids: list[str]) -> list[str]:
    """Rerun `test_ids` once, serially; those that pass now were flaky on this machine, not broken."""
    if not test_ids:
        return []
    junit = config.WORK / "junit-rerun.xml"
    python = env.tool(tree, "python")
    run(
        [str(python), "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", "-q", f"--junitxml={junit}"]
        + [node_id(tree, test_id) for test_id in test_ids],
        cwd=tree,
        env={"DEFER_PYDANTIC_BUILD": "false"},
        check=False,
        timeout=config.TEST_TIMEOUT_S,
    )
    rerun = parse_junit(junit)
    return [test_id for test_id in test_ids if test_id not in rerun.passed]
