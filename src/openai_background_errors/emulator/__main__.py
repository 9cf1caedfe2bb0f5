"""``python -m openai_background_errors.emulator [--host H] [--port P]``.

Prints the base URL (ending in ``/v1``) on one line, serves until SIGINT
(Ctrl-C) or SIGTERM, then shuts down cleanly and exits 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .server import serve

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m openai_background_errors.emulator",
        description="Local Responses API server whose background jobs follow a script in their metadata.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with serve(host=args.host, port=args.port) as base_url:
        sys.stdout.write(base_url + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
