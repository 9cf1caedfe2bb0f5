"""A pytest plugin running openai's own generated Responses tests against the emulator.

noxfile.py's ``upstream_api`` session extracts ``tests/api_resources/test_responses.py`` and
``tests/api_resources/responses/`` (with the conftest and helpers they import) from the sdist
of the installed openai release, and runs them with ``-p harness``. Those tests were written for
a mock server at ``TEST_API_BASE_URL`` that answers any id; this plugin makes the emulator
stand in for it:

- before the tests' conftest reads ``TEST_API_BASE_URL``, it starts an emulator in this
  process and points the variable at it;
- before each test, it creates one finished background job under each id the test's module
  names (``response_id="resp_677e..."``, ``previous_response_id="resp_123"``, the positional
  ids of ``delete`` and ``cancel``), through the emulator's own create endpoint, so a test that
  deleted or cancelled one leaves the next test a fresh one;
- every test listed in ``expected-failures.txt`` is marked ``xfail(strict=True)`` with the
  reason written there: a listed test that passes fails the run, as does an unlisted test that
  fails, and a listed test that does not exist.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest

from openai_background_errors.emulator import create_app, run_in_thread
from openai_background_errors.emulator.app import EmulatorApp

EXPECTED_FAILURES = Path(__file__).with_name("expected-failures.txt")
SEEDED_SCRIPT = {"emulator.queue_ms": "0", "emulator.run_ms": "0"}
"""The jobs standing in for the tests' ids are finished (completed) background responses."""
_ID_KEYWORDS = ("response_id", "previous_response_id")


@dataclass
class _Emulator:
    """The harness's emulator, kept in pytest's config stash for the fixture and the teardown."""

    app: EmulatorApp
    base_url: str
    running: contextlib.ExitStack


_EMULATOR = pytest.StashKey[_Emulator]()


def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """Start the emulator before any conftest is imported: theirs reads the URL at import."""
    running = contextlib.ExitStack()
    app = create_app()
    running.callback(app.close)
    base_url = f"{running.enter_context(run_in_thread(app))}/v1"
    early_config.stash[_EMULATOR] = _Emulator(app, base_url, running)
    os.environ["TEST_API_BASE_URL"] = base_url


def pytest_unconfigure(config: pytest.Config) -> None:
    emulator = config.stash.get(_EMULATOR, None)
    if emulator is not None:
        emulator.running.close()


def expected_failures(text: str) -> dict[str, str]:
    """``node id  # reason`` lines (blank lines and lines starting with ``#`` aside) as a dict."""
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        node_id, separator, reason = line.partition("#")
        if not separator or not reason.strip():
            raise ValueError(f"{EXPECTED_FAILURES.name}:{number}: no '# reason' after the test id: {line!r}")
        listed[node_id.strip()] = reason.strip()
    return listed


@pytest.hookimpl(tryfirst=True)  # before `-k`/`-m` deselect: a listed test exists even if not run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    listed = expected_failures(EXPECTED_FAILURES.read_text())
    for item in items:
        reason = listed.pop(item.nodeid, None)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
    if listed:
        raise pytest.UsageError(
            f"{EXPECTED_FAILURES.name} lists tests that were not collected: {', '.join(sorted(listed))}"
        )


@functools.cache
def made_up_ids(source: str) -> tuple[str, ...]:
    """The response ids a test module names: values of ``*response_id=`` and ``"resp_..."`` strings."""
    found: dict[str, None] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in _ID_KEYWORDS:
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                found[value.value] = None
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("resp_")
        ):
            found[node.value] = None
    return tuple(found)


@pytest.fixture(autouse=True)
def _jobs_under_made_up_ids(request: pytest.FixtureRequest) -> None:
    emulator = request.config.stash[_EMULATOR]
    with openai.OpenAI(base_url=emulator.base_url, api_key="emulator") as client:
        for response_id in made_up_ids(request.node.path.read_text()):
            emulator.app.store.name_next(response_id)
            created = client.responses.create(
                model="gpt-4.1",
                input="A job standing in for a made-up id.",
                background=True,
                metadata=SEEDED_SCRIPT,
            )
            assert created.id == response_id, (created.id, response_id)
