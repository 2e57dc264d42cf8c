"""`peermatch run`: the API, a Celery worker and its beat scheduler, started and stopped as one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

# How uvicorn serves the API here and in the Dockerfile (tests/core/test_compose.py holds the
# two together): no access log (it would record client addresses; the app logs method, path
# and status), no `server: uvicorn` header, and X-Forwarded-* believed only from the
# addresses in FORWARDED_ALLOW_IPS.
UVICORN_FLAGS = ("--no-access-log", "--no-server-header", "--proxy-headers")


def _commands(port: int, forwarded_allow_ips: str) -> dict[str, list[str]]:
    bindir = Path(sys.executable).parent
    return {
        "api": [
            str(bindir / "uvicorn"),
            "services.api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *UVICORN_FLAGS,
            "--forwarded-allow-ips",
            forwarded_allow_ips,
        ],
        # Threads, not forks: the embedded default's SQLite files are best opened by one
        # process at a time per role, and the beat scheduler rides along (-B).
        "worker": [
            str(bindir / "celery"),
            "-A",
            "workers.app",
            "worker",
            "-B",
            "--pool=threads",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
    }


def run(port: int) -> int:
    """Start every part, stop them all when one exits or on SIGINT/SIGTERM."""
    from services.core.broker import declare_queue
    from services.core.settings import get_settings

    # PORT reaches the children too, so that the links in emails follow it (PUBLIC_URL).
    os.environ["PORT"] = str(port)
    settings = get_settings()
    declare_queue(settings.broker_url)
    children = {
        name: subprocess.Popen(command, start_new_session=True)
        for name, command in _commands(port, settings.forwarded_allow_ips).items()
    }
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    docs = " (docs at /docs)" if settings.docs_on else ""
    print(f"PeerMatch on http://127.0.0.1:{port}{docs}; Ctrl-C stops it all", flush=True)
    exit_code = 0
    parent = os.getppid()
    while not stopping:
        if os.getppid() != parent:
            # `make run` was stopped with SIGTERM: make does not pass it on, so follow it.
            stopping = True
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with {child.returncode}; stopping the rest", flush=True)
                exit_code = child.returncode or 1
                stopping = True
        time.sleep(0.3)
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return exit_code
