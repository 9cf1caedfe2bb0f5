from __future__ import annotations

import time
from typing import TYPE_CHECKING, List, cast
from typing_extensions import assert_never

from .._types import Omit, omit
from .._utils import is_given
from ._vector_stores import _get_poll_interval_ms, validate_max_wait_seconds
from ..types.responses.response import Response
from ..types.responses.response_includable import ResponseIncludable

if TYPE_CHECKING:
    from ..resources.responses.responses import Responses, AsyncResponses

__all__ = ["poll_response", "async_poll_response", "validate_max_wait_seconds"]


def _remaining_poll_time(deadline: float, response_id: str) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError(f"Timed out waiting for response {response_id!r} to finish")
    return remaining


def poll_response(
    resource: Responses,
    response_id: str,
    *,
    include: List[ResponseIncludable] | Omit = omit,
    poll_interval_ms: int | Omit = omit,
    max_wait_seconds: float | Omit = omit,
) -> Response:
    """Poll a background response using the caller's resource hooks."""
    validate_max_wait_seconds(max_wait_seconds)
    deadline = time.monotonic() + max_wait_seconds if is_given(max_wait_seconds) else None
    headers: dict[str, str] = {"X-Stainless-Poll-Helper": "true"}
    if is_given(poll_interval_ms):
        headers["X-Stainless-Custom-Poll-Interval"] = str(poll_interval_ms)

    while True:
        if deadline is not None:
            _remaining_poll_time(deadline, response_id)

        raw_response = resource.with_raw_response.retrieve(
            response_id,
            include=include,
            extra_headers=headers,
        )

        # `with_raw_response` loses `retrieve`'s overloads; without `stream` it returns a `Response`.
        response = cast(Response, raw_response.parse())
        if response.status == "queued" or response.status == "in_progress":
            if not is_given(poll_interval_ms):
                poll_interval_ms = _get_poll_interval_ms(raw_response.headers)

            sleep_seconds = poll_interval_ms / 1000
            if deadline is not None:
                sleep_seconds = min(sleep_seconds, _remaining_poll_time(deadline, response_id))
            resource._sleep(sleep_seconds)
        elif (
            response.status == "completed"
            or response.status == "failed"
            or response.status == "incomplete"
            or response.status == "cancelled"
            or response.status is None
        ):
            return response
        else:
            if TYPE_CHECKING:
                assert_never(response.status)
            else:
                return response


async def async_poll_response(
    resource: AsyncResponses,
    response_id: str,
    *,
    include: List[ResponseIncludable] | Omit = omit,
    poll_interval_ms: int | Omit = omit,
    max_wait_seconds: float | Omit = omit,
) -> Response:
    """Poll a background response using the caller's async resource hooks."""
    validate_max_wait_seconds(max_wait_seconds)
    deadline = time.monotonic() + max_wait_seconds if is_given(max_wait_seconds) else None
    headers: dict[str, str] = {"X-Stainless-Poll-Helper": "true"}
    if is_given(poll_interval_ms):
        headers["X-Stainless-Custom-Poll-Interval"] = str(poll_interval_ms)

    while True:
        if deadline is not None:
            _remaining_poll_time(deadline, response_id)

        raw_response = await resource.with_raw_response.retrieve(
            response_id,
            include=include,
            extra_headers=headers,
        )

        # `with_raw_response` loses `retrieve`'s overloads; without `stream` it returns a `Response`.
        response = cast(Response, raw_response.parse())
        if response.status == "queued" or response.status == "in_progress":
            if not is_given(poll_interval_ms):
                poll_interval_ms = _get_poll_interval_ms(raw_response.headers)

            sleep_seconds = poll_interval_ms / 1000
            if deadline is not None:
                sleep_seconds = min(sleep_seconds, _remaining_poll_time(deadline, response_id))
            await resource._sleep(sleep_seconds)
        elif (
            response.status == "completed"
            or response.status == "failed"
            or response.status == "incomplete"
            or response.status == "cancelled"
            or response.status is None
        ):
            return response
        else:
            if TYPE_CHECKING:
                assert_never(response.status)
            else:
                return response
