"""Start a real, throw-away PostgreSQL server on loopback for the test session.

pytest-postgresql's own process fixture runs `pg_ctl` as the current user, and PostgreSQL
refuses to run as root, which is who CI is here. So this starts the server itself (as the
`postgres` system user when running as root) and leaves database set-up to
pytest-postgresql's `DatabaseJanitor`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: PG_BINDIR, the newest Debian install, or PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    if candidates:
        return Path(candidates[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise RuntimeError("PostgreSQL server binaries not found; `make test` installs them")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server and how to reach and stop it."""

    host: str
    port: int
    user: str
    datadir: Path
    _prefix: list[str]
    _bindir: Path

    def stop(self) -> None:
        """Stop the server quickly and forget its files."""
        subprocess.run(
            [
                *self._prefix,
                str(self._bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


def start_postgres(workdir: Path) -> PostgresServer:
    """initdb and start a server on 127.0.0.1 with a free port; trust auth, no fsync."""
    bindir = find_bindir()
    workdir.mkdir(parents=True, exist_ok=True)
    datadir = workdir / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL will not run as root: hand the folder to the postgres system user.
        account = pwd.getpwnam("postgres")
        os.chmod(workdir, 0o755)
        for parent in workdir.parents:
            if parent == Path("/") or not parent.exists():
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o001)
        os.chown(workdir, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='{workdir}' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(datadir),
            "-o",
            options,
            "-l",
            str(workdir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return PostgresServer("127.0.0.1", port, "postgres", datadir, prefix, bindir)
