"""``python -m openai_background_errors.emulator [--host H] [--port P] [--webhook-url U --webhook-secret S]``.

Prints the base URL (ending in ``/v1``) on one line, serves until SIGINT
(Ctrl-C) or SIGTERM, then shuts down cleanly and exits 0. With a webhook URL
and secret, every background job's end is POSTed there, signed.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .server import serve
from .webhooks import WebhookTarget

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m openai_background_errors.emulator",
        description="Local Responses API server whose background jobs follow a script in their metadata.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    parser.add_argument(
        "--webhook-url", help="POST each background job's end here, as the API's webhook event"
    )
    parser.add_argument(
        "--webhook-secret", help="whsec_... secret that signs the webhooks (with --webhook-url)"
    )
    args = parser.parse_args(argv)
    if (args.webhook_url is None) != (args.webhook_secret is None):
        parser.error("--webhook-url and --webhook-secret go together: give both or neither")
    if args.webhook_url is not None:
        try:
            WebhookTarget(args.webhook_url, args.webhook_secret)
        except ValueError as error:
            parser.error(str(error))

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with serve(
        host=args.host, port=args.port, webhook_url=args.webhook_url, webhook_secret=args.webhook_secret
    ) as base_url:
        sys.stdout.write(base_url + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
