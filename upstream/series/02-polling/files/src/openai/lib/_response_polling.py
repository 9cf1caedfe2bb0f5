from __future__ import annotations

import time
from typing import TYPE_CHECKING, List, cast
from typing_extensions import assert_never

from .._types import Omit, omit
from .._utils import is_given
from ._polling import get_poll_interval_ms, check_remaining_poll_time, validate_max_wait_seconds

if TYPE_CHECKING:
    from ..types.responses.response import Response
    from ..resources.responses.responses import Responses, AsyncResponses
    from ..types.responses.response_includable import ResponseIncludable

__all__ = ["poll_response", "async_poll_response"]


def _remaining_poll_time(deadline: float, response_id: str) -> float:
    return check_remaining_poll_time(
        deadline - time.monotonic(), f"Timed out waiting for response {response_id!r} to finish"
    )


def poll_response(
    resource: Responses,
    response_id: str,
    *,
    include: List[ResponseIncludable] | Omit = omit,
    poll_interval_ms: int | Omit = omit,
    max_wait_seconds: float | Omit = omit,
) -> Response:
    """Wait for a background response to finish, and return it whatever its final status.

    Retrieves the response with `resource` (`client.responses`) until its status is no longer
    `queued` or `in_progress`, waiting `poll_interval_ms`, or else what the server's
    `openai-poll-after-ms` header says (one second without it). `max_wait_seconds` must be
    finite and non-negative; when given, it limits polling and raises `TimeoutError` on expiry.
    """
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
        response = cast("Response", raw_response.parse())
        if response.status == "queued" or response.status == "in_progress":
            if not is_given(poll_interval_ms):
                poll_interval_ms = get_poll_interval_ms(raw_response.headers)

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
    """Wait for a background response to finish, and return it whatever its final status.

    The async version of `poll_response`, with `client.responses` of an `AsyncOpenAI` client.
    """
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
        response = cast("Response", raw_response.parse())
        if response.status == "queued" or response.status == "in_progress":
            if not is_given(poll_interval_ms):
                poll_interval_ms = get_poll_interval_ms(raw_response.headers)

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
