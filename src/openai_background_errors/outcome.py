"""`PollOutcome`: what `responses.poll_many` yields for each response (kept light: the root imports it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openai.types.responses import Response

__all__ = ["PollOutcome"]


@dataclass(frozen=True)
class PollOutcome:
    """How one response of a `poll_many` batch ended."""

    response_id: str
    response: Response | None
    """The terminal `Response` (the failed one too, when `error` is a typed error); None when none was read."""
    error: Exception | None
    """The typed error, a `TimeoutError`, the SDK's exception for a failed request, or None."""
