from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from .._exceptions import (
    BackgroundResponseError,
    BackgroundResponseFailedError,
    BackgroundResponseCancelledError,
    BackgroundResponseIncompleteError,
)

if TYPE_CHECKING:
    from ..types.responses.response import Response

__all__ = ["raise_for_status", "describe", "response_status_error"]

_ResponseT = TypeVar("_ResponseT", bound="Response")


def raise_for_status(
    response: _ResponseT,
    *,
    incomplete: bool = False,
    cancelled: bool = False,
) -> _ResponseT:
    """Raise a `BackgroundResponseFailedError` if the response failed, otherwise return it.

    `responses.retrieve()` returns a failed response like any other, because the request
    that fetched it succeeded. Pass the response through this function to turn a failure
    into an exception:

    ```py
    response = raise_for_status(client.responses.retrieve(response_id))
    ```

    With `incomplete=True` an incomplete response raises `BackgroundResponseIncompleteError`,
    and with `cancelled=True` a cancelled one raises `BackgroundResponseCancelledError`.
    """
    if (
        response.status == "failed"
        or (response.status == "incomplete" and incomplete)
        or (response.status == "cancelled" and cancelled)
    ):
        raise response_status_error(response, describe(response))
    return response


def describe(response: Response) -> str:
    """Why a failed, incomplete or cancelled response did not complete."""
    if response.status == "failed":
        if response.error is None:
            return f"Response {response.id} failed without an error"
        return f"Response {response.id} failed with {response.error.code}: {response.error.message}"
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        return f"Response {response.id} is incomplete: {reason or 'no reason given'}"
    if response.status == "cancelled":
        return f"Response {response.id} was cancelled"
    raise ValueError(f"Response {response.id} did not fail; its status is {response.status!r}")


def response_status_error(response: Response, message: str) -> BackgroundResponseError:
    """The error for a response whose status is `failed`, `incomplete` or `cancelled`."""
    if response.status == "failed":
        return BackgroundResponseFailedError(message, response=response)
    if response.status == "incomplete":
        return BackgroundResponseIncompleteError(message, response=response)
    if response.status == "cancelled":
        return BackgroundResponseCancelledError(message, response=response)
    raise ValueError(f"Response {response.id} did not fail; its status is {response.status!r}")
