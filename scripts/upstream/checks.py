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
