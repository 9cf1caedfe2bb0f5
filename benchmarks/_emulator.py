"""Clients of the local emulator with a transport that records every exchange."""

from __future__ import annotations

from typing import TypeVar

import httpx2
import openai

from ._fixtures import ByteCounter

__all__ = ["counted_client"]

_ClientT = TypeVar("_ClientT", bound=openai.OpenAI)


def counted_client(cls: type[_ClientT], base_url: str, counter: ByteCounter) -> _ClientT:
    """A client of `cls` for the emulator at `base_url`, all of whose exchanges `counter` records."""
    return cls(api_key="emulator", base_url=base_url, http_client=httpx2.Client(transport=counter))
