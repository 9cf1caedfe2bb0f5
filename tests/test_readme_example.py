"""The README's first usage example runs as written against the local server, as the README says to run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openai_background_errors.emulator import serve

README = Path(__file__).resolve().parent.parent / "README.md"


def _first_usage_example() -> str:
    usage = README.read_text().split("\n## Use\n", 1)[1]
    match = re.search(r"```python\n(.*?)```", usage, re.DOTALL)
    assert match is not None, "no python block under ## Use"
    return match.group(1)


@pytest.mark.parametrize("scripted_failure", [True, False], ids=["as written", "metadata line dropped"])
def test_the_first_usage_example_runs_against_the_local_server(
    tmp_path: Path, scripted_failure: bool
) -> None:
    example = _first_usage_example()
    if not scripted_failure:
        example = "\n".join(line for line in example.splitlines() if "metadata=" not in line)
    script = tmp_path / "example.py"
    script.write_text(example)
    with serve() as base_url:
        environment = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "emulator"}
        done = subprocess.run(
            [sys.executable, str(script)],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    if scripted_failure:
        assert re.fullmatch(r"BackgroundServerError server_error req_emu_\S+ True\n", done.stdout), (
            done.stdout
        )
    else:
        assert done.stdout == "Hello from the local emulator.\n"
