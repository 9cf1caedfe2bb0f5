"""What `create` / `parse` do on a client made with `wait_for_background=True`.

A call that created a background run still `queued` or `in_progress` polls it to its end
(the resource's `poll`, from the wait the create's own answer asked for) and hands back
the finished run, in the form the call asked for:

- the plain call: the terminal `Response` (`ParsedResponse` for `parse`);
- `.with_raw_response`: the create's HTTP exchange (its headers, request id, status),
  whose `.parse()` is that terminal response. Libraries read answers this way
  (langchain-openai's `invoke`), so it waits too.

A status in `raise_on` raises the typed error from the call itself, as the wait reveals it.
Left as the SDK returns them: streams, `.with_streaming_response` (an open HTTP response
the caller reads: the create's, `queued`), and every call of a client that does not wait.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol, cast

from openai._constants import RAW_RESPONSE_HEADER
from openai._legacy_response import LegacyAPIResponse
from openai.types.responses import Response

from .errors import BackgroundResponseError
from .polling import is_waiting

__all__ = ["WaitedRawResponse", "asking_for_the_exchange", "run_to_wait_for", "wait_mode"]


class _WaitingSetting(Protocol):
    @property
    def wait_for_background(self) -> bool: ...


def wait_mode(client: object, params: Mapping[str, Any]) -> Literal["model", "raw"] | None:
    """How a `create`/`parse` call with `params` hands back a finished run; None: as the SDK does."""
    if not cast(_WaitingSetting, client).wait_for_background or params.get("stream"):
        return None
    headers: Mapping[str, str] = params.get("extra_headers") or {}
    asked = headers.get(RAW_RESPONSE_HEADER)
    if asked is None:
        return "model"
    # "true": `with_raw_response`; "stream": `with_streaming_response`, which is left as it is.
    return "raw" if asked == "true" else None


def asking_for_the_exchange(params: Mapping[str, Any]) -> dict[str, Any]:
    """`params` asking the SDK for the HTTP exchange (what `with_raw_response` asks for), whose
    headers carry the first poll's wait."""
    headers: Mapping[str, str] = params.get("extra_headers") or {}
    return {**params, "extra_headers": {**headers, RAW_RESPONSE_HEADER: "true"}}


def run_to_wait_for(created: LegacyAPIResponse[Any]) -> Response | None:
    """The background run the create's answer says is still queued or in progress; else None.

    None too for an answer that raises the typed error (a run that ended at once): the call
    then hands back what it would without waiting, and `created.parse()` raises it again
    where the caller parses it. The answer's own `background` says whether the server runs
    it in the background, so a run asked for through `extra_body` is waited for too.
    """
    try:
        answer: object = created.parse()
    except BackgroundResponseError:
        return None
    if isinstance(answer, Response) and getattr(answer, "background", None) is True and is_waiting(answer):
        return answer
    return None


class WaitedRawResponse(LegacyAPIResponse[Any]):
    """The create's HTTP exchange, whose `parse()` is the run it started, finished."""

    def __init__(self, created: LegacyAPIResponse[Any], finished: Response) -> None:
        # The exchange as the SDK built it (headers, request id, status, options), not re-read.
        vars(self).update(vars(created))
        self._finished = finished

    def parse(self, *, to: type[Any] | None = None) -> Any:
        """The finished run; with `to`, the create's own body as `to`."""
        return self._finished if to is None else super().parse(to=to)
