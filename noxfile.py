"""Compatibility lanes: the same test files against each SDK install the project claims.

    nox -l                      # list the sessions
    nox -s oldest -p 3.11       # one lane on one Python
    nox -s newest oldest openai2 pydantic1 --force-python python3   # every lane, this Python

Lanes (what pyproject's `dependencies` claims is exactly what they prove):

    newest     openai: the newest 3.x (as `pip` resolves the project's range)
    oldest     openai 3.0.0, the oldest 3.x the project claims
    openai2    openai: the newest 2.x, which speaks httpx (respx mocks it there)
    pydantic1  pydantic 1 with the newest openai 3.x (the SDK still supports it)
    wheel      the newest lane, from the built wheel installed alone with [emulator]
               (build it first: `python -m build --outdir dist/package`)
    consumers  openai-agents, langchain-openai and pydantic-ai, pinned, driving this package's clients
               against the emulator (tests/consumers, type-checked here too)
    fork       the fork of openai that `scripts/upstream-patch --fork` builds (run it first)

Not lanes but sessions of their own (not run by default): `taskqueue`, Celery (pinned) over a
real Redis (Debian's `redis-server`) with examples/celery_tasks.py, tests_taskqueue/; and
`upstream_api`, the installed openai release's own generated Responses tests (from its sdist)
against the emulator, through tests/upstream_api/harness.py.

What differs between lanes in the tests lives in tests/lanes.py. Extra arguments
after `--` go to pytest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile
from pathlib import Path

import nox
from nox.command import CommandFailed

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["newest", "oldest", "openai2", "pydantic1", "consumers"]

PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]
PROJECT = "-e.[emulator,dev]"
ROOT = Path(__file__).parent
TASKQUEUE_PINS = ("celery[redis]~=5.7.0", "redis~=8.1.0", "celery-types==0.26.0")
"""Celery 5.7 with its Redis client, and the type stubs its example is checked with."""
TASKQUEUE_FILES = (
    "examples/celery_tasks.py",
    *sorted(f"tests_taskqueue/{path.name}" for path in (ROOT / "tests_taskqueue").glob("*.py")),
)
"""What only the taskqueue session can import (the main lint leaves it out), type-checked there."""
CONSUMER_PINS = ("openai-agents==0.24.0", "langchain-openai==1.8.1", "pydantic-ai-slim[openai]==2.78.0")
"""The libraries users meet background failures through, at the versions the tests were written for."""
CONSUMER_FILES = tuple(
    sorted(f"tests/consumers/{path.name}" for path in (ROOT / "tests/consumers").glob("*.py"))
)
"""What only the consumers session can import (the main lint leaves it out), type-checked there."""
CONSUMER_PYTHONS = [python for python in PYTHONS if python != "3.10"]
"""langchain-openai 1.8.1 requires Python 3.11 or later."""


WHEEL_DIR = Path("dist/package")
LINT_ONLY = {"ruff", "pyright", "mypy", "nox"}
"""Tools of the `dev` extra that the test suite does not import."""

_INSTALLED_NOT_SOURCE = """
import pathlib, sys, sysconfig
import openai_background_errors as package
site = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
where = pathlib.Path(package.__file__).resolve()
assert where.is_relative_to(site) and site.is_relative_to(pathlib.Path(sys.prefix).resolve()), (
    f"imported from {where}, not from this venv's site-packages {site}"
)
print(f"testing the installed wheel at {where.parent}")
"""


def _pytest(session: nox.Session, *args: str) -> None:
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run(
        "python", "-m", "pytest", "-n", "auto", "-q", "-p", "no:cacheprovider", *args, *session.posargs
    )


@nox.session(python=PYTHONS)
def newest(session: nox.Session) -> None:
    """The newest openai 3.x."""
    session.install("--upgrade", PROJECT, "openai>=3,<4")
    _pytest(session)


@nox.session(python=PYTHONS)
def oldest(session: nox.Session) -> None:
    """openai 3.0.0: the oldest release `dependencies` admits in 3.x."""
    session.install(PROJECT, "openai==3.0.0")
    _pytest(session)


@nox.session(python=PYTHONS)
def openai2(session: nox.Session) -> None:
    """The newest openai 2.x, on httpx; httpx2 only for the tests' own scripted answers."""
    session.install(PROJECT, "openai>=2.54,<3", "httpx2>=2.7")
    _pytest(session)


@nox.session(python=PYTHONS)
def pydantic1(session: nox.Session) -> None:
    """The newest openai 3.x with pydantic 1."""
    session.install(PROJECT, "openai>=3,<4", "pydantic<2")
    _pytest(session)


@nox.session(python=PYTHONS)
def taskqueue(session: nox.Session) -> None:
    """Celery over a real Redis: typed errors reach the caller with their fields (needs redis-server)."""
    session.install(PROJECT, "openai>=3,<4", *TASKQUEUE_PINS)
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("pyright", "--project", _pyright_config(session, TASKQUEUE_FILES))
    session.run("mypy", *TASKQUEUE_FILES)
    session.run(
        "python",
        "-m",
        "pytest",
        "-n",
        "0",
        "-s",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests_taskqueue",
        *session.posargs,
    )


UPSTREAM_API_FILES = (
    "pyproject.toml",  # its pytest settings only
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/utils.py",
    "tests/respx2",
    "tests/api_resources/__init__.py",
    "tests/api_resources/test_responses.py",
    "tests/api_resources/responses",
)
"""What openai's generated Responses tests are, and what they import, in the release's sdist."""


@nox.session(python=PYTHONS)
def upstream_api(session: nox.Session) -> None:
    """The installed openai's generated Responses tests against the emulator (skips without PyPI)."""
    session.install(PROJECT, "openai[aiohttp]>=3,<4", "rich>=13")
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    version = str(
        session.run("python", "-c", "import openai; print(openai.__version__)", silent=True)
    ).strip()
    tmp = Path(session.create_tmp()).resolve()
    sdist = tmp / f"openai-{version}.tar.gz"
    if not sdist.exists():
        try:
            session.run(
                "python", "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                "--disable-pip-version-check", "-d", str(tmp), f"openai=={version}",
            )  # fmt: skip
        except CommandFailed:
            session.skip(f"the openai {version} sdist cannot be downloaded here")
    tree = tmp / "upstream_api"
    shutil.rmtree(tree, ignore_errors=True)
    top = f"openai-{version}/"
    with tarfile.open(sdist) as archive:
        wanted = [
            member
            for member in archive.getmembers()
            if any(
                member.name == top + path or member.name.startswith(f"{top}{path}/")
                for path in UPSTREAM_API_FILES
            )
        ]
        archive.extractall(tree, members=wanted, filter="data")
    session.chdir(tree / top)
    session.run(
        "python", "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-p", "harness", "-rxXf",
        "tests/api_resources/test_responses.py", "tests/api_resources/responses", *session.posargs,
        env={"PYTHONPATH": str(ROOT / "tests" / "upstream_api")},
    )  # fmt: skip


@nox.session(python=CONSUMER_PYTHONS)
def consumers(session: nox.Session) -> None:
    """openai-agents, langchain-openai and pydantic-ai with this package's clients, against the emulator."""
    session.install(PROJECT, "openai>=3,<4", *CONSUMER_PINS)
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("pyright", "--project", _pyright_config(session, CONSUMER_FILES))
    session.run("mypy", *CONSUMER_FILES)
    session.run(
        "python",
        "-m",
        "pytest",
        "-n",
        "auto",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/consumers",
        *session.posargs,
        # Required here: a library that fails to import fails the run instead of being left out.
        env={"OBE_CONSUMERS_REQUIRED": "1"},
    )


def _pyright_config(session: nox.Session, files: tuple[str, ...]) -> str:
    """A pyright configuration checking `files` with the project's settings in this session's venv."""
    tmp = Path(session.create_tmp()).resolve()
    venv = Path(session.virtualenv.location).resolve()
    config = {
        "extends": os.path.relpath(ROOT / "pyproject.toml", tmp),
        "include": [os.path.relpath(ROOT / file, tmp) for file in files],
        "exclude": [],
        "extraPaths": [os.path.relpath(ROOT, tmp)],
        "venvPath": os.path.relpath(venv.parent, tmp),
        "venv": venv.name,
    }
    path = tmp / "pyrightconfig.json"
    path.write_text(json.dumps(config, indent=2))
    return str(path)


@nox.session(python=PYTHONS)
def wheel(session: nox.Session) -> None:
    """The newest lane against what users install: the built wheel, with [emulator], alone.

    The suite runs from a copy of tests/ (and the examples it drives) outside the checkout,
    so nothing can import src/; the package is checked to come from this venv first.
    """
    wheels = sorted(WHEEL_DIR.glob("openai_background_errors-*.whl"))
    if len(wheels) != 1:
        session.error(
            f"expected one wheel in {WHEEL_DIR}/, found {[path.name for path in wheels]}; "
            f"build it with `python -m build --outdir {WHEEL_DIR}`"
        )
    dev = nox.project.load_toml("pyproject.toml")["project"]["optional-dependencies"]["dev"]
    test_requirements = [
        line for line in dev if re.split(r"[<>=!~ \[;]", line, maxsplit=1)[0] not in LINT_ONLY
    ]
    session.install(f"{wheels[0].resolve()}[emulator]", *test_requirements)
    suite = Path(session.create_tmp()).resolve() / "suite"
    shutil.rmtree(suite, ignore_errors=True)
    for tree in ("tests", "examples"):
        shutil.copytree(tree, suite / tree)
    shutil.copy("pyproject.toml", suite)  # pytest's settings only; nothing is built from it
    session.chdir(suite)
    session.run("python", "-c", _INSTALLED_NOT_SOURCE)
    session.log(
        "not run from the wheel: tests/test_bench.py (it runs scripts/bench of a source checkout), "
        "tests/test_readme_example.py (it reads the checkout's README)"
    )
    _pytest(session, "--ignore=tests/test_bench.py", "--ignore=tests/test_readme_example.py")


@nox.session(python=PYTHONS)
def fork(session: nox.Session) -> None:
    """The fork of openai built by `scripts/upstream-patch --fork` or `--check` (dist/upstream/openai-*.whl)."""
    wheels = sorted(Path("dist/upstream").glob("openai-*+background.errors.*.whl"))
    if not wheels:
        session.error("no fork wheel in dist/upstream/: run scripts/upstream-patch --fork first")
    session.install(PROJECT, str(wheels[-1]))
    session.run("python", "-c", "import openai; assert openai.BackgroundResponseError, openai.__version__")
    _pytest(session)
