"""The ``background_api`` pytest fixture (registered through the ``pytest11`` entry point).

``background_api`` yields the base URL (ending in ``/v1``) of an emulator
with fresh, empty state for each test. One server per test session serves
every test's emulator under its own URL prefix (see `tenants`), so the
fixture costs microseconds, and nothing a test does is visible to another.

``background_api_webhook`` is None; override it (in a conftest, a module, or
with indirect parametrization) to return a `WebhookTarget`, and that test's
emulator POSTs every background job's end there, signed with its secret.

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
    from .webhooks import WebhookTarget

__all__ = ["background_api", "background_api_webhook"]


@pytest.fixture(scope="session")
def _background_api_server() -> Iterator[tuple[str, Tenants]]:
    from .server import run_in_thread
    from .tenants import Tenants

    tenants = Tenants()
    with run_in_thread(tenants) as root:
        yield root, tenants


@pytest.fixture
def background_api_webhook() -> WebhookTarget | None:
    """Where ``background_api`` sends webhooks: nowhere. Override it to return a `WebhookTarget`."""
    return None


@pytest.fixture
def background_api(
    _background_api_server: tuple[str, Tenants], background_api_webhook: WebhookTarget | None
) -> Iterator[str]:
    """Base URL of a fresh local Responses emulator, e.g. ``http://127.0.0.1:PORT/t3/v1``."""
    root, tenants = _background_api_server
    name = tenants.add(webhook=background_api_webhook)
    try:
        yield f"{root}/{name}/v1"
    finally:
        tenants.remove(name)
