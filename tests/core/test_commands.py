"""`peermatch create-coordinator` as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, migrate


def _peermatch(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_coordinator_then_log_in(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    migrate(f"sqlite:///{database}")
    args = [
        "create-coordinator",
        "--email",
        "Lead@Example.org",
        "--password",
        "a long enough password",
        "--organization",
        "harbor-house",
    ]
    created = _peermatch(database, *args)
    assert created.returncode == 0, created.stderr
    assert "harbor-house" in created.stdout

    again = _peermatch(database, *args)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr

    from fastapi.testclient import TestClient

    from services.api.app import create_app
    from services.core.settings import Settings
    from tests.conftest import TEST_SECRET

    app = create_app(Settings(database_url=f"sqlite:///{database}", secret_key=TEST_SECRET))
    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/token",
            data={"username": "lead@example.org", "password": "a long enough password"},
        ).json()["access_token"]
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "coordinator"
    assert me["organization"] == "harbor-house"


def test_create_coordinator_rejects_bad_input_without_a_traceback(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    migrate(f"sqlite:///{database}")
    bad = _peermatch(
        database,
        "create-coordinator",
        "--email",
        "not-an-email",
        "--password",
        "short",
        "--organization",
        "Bad Slug!",
    )
    assert bad.returncode == 2
    assert "email" in bad.stderr and "password" in bad.stderr and "organization" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_create_coordinator_on_an_unmigrated_database_says_so(tmp_path: Path) -> None:
    result = _peermatch(
        tmp_path / "empty.db",
        "create-coordinator",
        "--email",
        "lead@example.org",
        "--password",
        "a long enough password",
        "--organization",
        "demo",
    )
    assert result.returncode == 1
    assert "alembic upgrade head" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_coordinator_asks_for_the_password_when_it_is_left_out(tmp_path: Path) -> None:
    database = tmp_path / "prompt.db"
    migrate(f"sqlite:///{database}")
    args = ["create-coordinator", "--email", "lead@example.org", "--organization", "harbor"]

    def run(typed: str) -> subprocess.CompletedProcess[str]:
        # A new session has no terminal, so getpass reads what is typed from standard input.
        return subprocess.run(
            [sys.executable, "-m", "services.cli", *args],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
            input=typed,
            capture_output=True,
            text=True,
            timeout=120,
            start_new_session=True,
        )

    differ = run("a long enough password\nanother long password\n")
    assert differ.returncode == 2
    assert "differ" in differ.stderr
    created = run("a long enough password\na long enough password\n")
    assert created.returncode == 0, created.stderr
    assert "a long enough password" not in created.stdout + created.stderr
