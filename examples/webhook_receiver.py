"""A webhook receiver (Starlette): verify, acknowledge at once, hand the work on, once per `webhook-id`.

OpenAI waits only seconds for the 2xx and delivers at least once: a slow answer
or a lost 2xx means the same delivery again, under the same `webhook-id`. So the
receiver answers before doing any work (a Starlette background task here; a task
queue in production), and hands each `webhook-id` on once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from openai import InvalidWebhookSignatureError
from openai.types.responses import Response as OpenAIResponse
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openai_background_errors import AsyncOpenAI, BackgroundResponseError

Handler = Callable[[OpenAIResponse | BackgroundResponseError], Awaitable[None]]


def receiver_app(client: AsyncOpenAI, on_outcome: Handler) -> Starlette:
    """An app whose `POST /webhooks/openai` hands each verified response outcome to `on_outcome`, once."""
    seen: set[str] = set()  # webhook-ids handed on; in production, a table written with the job it starts

    async def receive(request: Request) -> Response:
        body, headers = await request.body(), dict(request.headers)
        try:
            client.webhooks.verify_signature(body, headers)  # a forgery is refused before anything else
        except InvalidWebhookSignatureError:
            return Response(status_code=400)
        webhook_id = headers["webhook-id"]
        if webhook_id in seen:
            return Response(status_code=204)  # a repeat: acknowledged, not redone
        seen.add(webhook_id)
        return Response(status_code=204, background=BackgroundTask(handle, body, headers))

    async def handle(body: bytes, headers: dict[str, str]) -> None:
        try:
            response = await client.responses.from_webhook(body, headers)
        except BackgroundResponseError as error:
            await on_outcome(error)  # error.code, error.retryable, error.response_id
            return
        if response is not None:  # None: an event about something other than a response
            await on_outcome(response)

    return Starlette(routes=[Route("/webhooks/openai", receive, methods=["POST"])])
