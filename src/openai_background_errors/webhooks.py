"""`from_webhook`: turn a verified webhook delivery about a response into that response, or its error.

The API announces a background response's end with a webhook whose event
(`response.completed`, `.failed`, `.incomplete` or `.cancelled`) carries only
the response's id. So the delivery is verified with the SDK's own
`webhooks.unwrap` (a bad signature raises `openai.InvalidWebhookSignatureError`
before anything is retrieved), and then the response is retrieved through the
client, which raises the typed error for a status in its `raise_on` with that
GET's request id. Other event types are none of this module's business: None.

Delivery is at least once and unordered, so a receiver sees some events twice;
calling this twice for one `webhook-id` retrieves twice and gives the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from openai.types.webhooks import (
    ResponseCancelledWebhookEvent,
    ResponseCompletedWebhookEvent,
    ResponseFailedWebhookEvent,
    ResponseIncompleteWebhookEvent,
)

if TYPE_CHECKING:
    from openai.resources.responses import AsyncResponses, Responses
    from openai.resources.webhooks.webhooks import AsyncWebhooks, Webhooks
    from openai.types.responses import Response

__all__ = ["RESPONSE_EVENT_TYPES", "async_from_webhook", "from_webhook"]

_RESPONSE_EVENTS = (
    ResponseCompletedWebhookEvent,
    ResponseFailedWebhookEvent,
    ResponseIncompleteWebhookEvent,
    ResponseCancelledWebhookEvent,
)
RESPONSE_EVENT_TYPES = frozenset(
    {"response.completed", "response.failed", "response.incomplete", "response.cancelled"}
)


def _ended_response_id(
    webhooks: Webhooks | AsyncWebhooks, payload: str | bytes, headers: Mapping[str, str], secret: str | None
) -> str | None:
    """Verify and parse the delivery; the id of the response it says ended, or None for other events."""
    # `unwrap` is synchronous on both resources: it only checks an HMAC and parses JSON.
    event = webhooks.unwrap(payload, headers, secret=secret)
    # The type is checked too: the SDK builds an unknown event type as some member of its union.
    if isinstance(event, _RESPONSE_EVENTS) and event.type in RESPONSE_EVENT_TYPES:
        return event.data.id
    return None


def from_webhook(
    resource: Responses, payload: str | bytes, headers: Mapping[str, str], *, secret: str | None = None
) -> Response | None:
    """The response a verified `response.*` webhook announces, retrieved (raising per `raise_on`); else None."""
    response_id = _ended_response_id(resource._client.webhooks, payload, headers, secret)  # pyright: ignore[reportPrivateUsage]
    return None if response_id is None else resource.retrieve(response_id)


async def async_from_webhook(
    resource: AsyncResponses, payload: str | bytes, headers: Mapping[str, str], *, secret: str | None = None
) -> Response | None:
    """The response a verified `response.*` webhook announces, retrieved (raising per `raise_on`); else None."""
    response_id = _ended_response_id(resource._client.webhooks, payload, headers, secret)  # pyright: ignore[reportPrivateUsage]
    return None if response_id is None else await resource.retrieve(response_id)
