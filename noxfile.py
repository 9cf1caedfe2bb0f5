"""Compatibility lanes: the same test files against each SDK install the project claims.

    nox -l                      # list the sessions
    nox -s oldest -p 3.11       # one lane on one Python
    nox -s newest oldest openai2 pydantic1 --force-python python3   # every lane, this Python

Lanes (what pyproject's `dependencies` claims is exactly what they prove):

    newest     openai: the newest 3.x (as `pip` resolves the project's range)
    oldest     openai 3.0.0, the oldest 3.x the project claims
    openai2    openai: the newest 2.x, which speaks httpx (respx mocks it there)
    pydantic1  pydantic 1 with the newest openai 3.x (the SDK still supports it)

What differs between lanes in the tests lives in tests/lanes.py. Extra arguments
after `--` go to pytest.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["newest", "oldest", "openai2", "pydantic1"]

PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]
PROJECT = "-e.[emulator,dev]"


def _pytest(session: nox.Session) -> None:
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("python", "-m", "pytest", "-n", "auto", "-q", "-p", "no:cacheprovider", *session.posargs)


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
