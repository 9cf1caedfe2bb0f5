"""The ``background_api`` pytest fixture (registered through the ``pytest11`` entry point).

``background_api`` yields the base URL (ending in ``/v1``) of an emulator
with fresh, empty state for each test. One server per test session serves
every test's emulator under its own URL prefix (see `tenants`), so the
fixture costs microseconds, and nothing a test does is visible to another.

This module imports starlette and uvicorn only when the fixture is used, so
installing the package without its ``[emulator]`` extra does not break
pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .tenants import Tenants

__all__ = ["background_api"]


@pytest.fixture(scope="session")
def _background_api_server() -> Iterator[tuple[str, Tenants]]:
    from .server import run_in_thread
    from .tenants import Tenants

    tenants = Tenants()
    with run_in_thread(tenants) as root:
        yield root, tenants


@pytest.fixture
def background_api(_background_api_server: tuple[str, Tenants]) -> Iterator[str]:
    """Base URL of a fresh local Responses emulator, e.g. ``http://127.0.0.1:PORT/t3/v1``."""
    root, tenants = _background_api_server
    name = tenants.add()
    try:
        yield f"{root}/{name}/v1"
    finally:
        tenants.remove(name)
