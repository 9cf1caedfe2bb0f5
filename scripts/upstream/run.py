"""Running commands, with their output kept in the scratch log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import config


def log_path() -> Path:
    return config.BASE.work / "upstream-patch.log"


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def run(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    what: str | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `args`; output goes to the log and is returned. Raise SystemExit on failure when `check`."""
    full_env = {**os.environ, **(env or {})}
    started = time.monotonic()
    proc = subprocess.run(
        list(args), cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    log_path().parent.mkdir(parents=True, exist_ok=True)
    with log_path().open("a") as log:
        log.write(
            f"\n$ {' '.join(args)}  (cwd={cwd}, rc={proc.returncode}, {time.monotonic() - started:.1f}s)\n"
        )
        log.write(proc.stdout[-200_000:])
        log.write(proc.stderr[-200_000:])
    if check and proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-30:]
        raise SystemExit(f"failed to {what or args[0]} (exit {proc.returncode}):\n" + "\n".join(tail))
    return proc
