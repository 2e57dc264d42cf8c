"""docker-compose.yml cannot run here (no Docker engine), so read it for what must hold."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from services.core.settings import Settings
from tests.conftest import ROOT


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_every_part_is_there_with_health_checks_and_volumes() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "api", "worker", "beat"}
    for name in ("postgres", "redis", "api", "worker"):
        assert "healthcheck" in services[name], name
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])
    assert services["postgres"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]


def test_migrations_run_before_the_application_starts() -> None:
    services = _compose()["services"]
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    for name in ("api", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_the_environment_names_real_settings() -> None:
    services = _compose()["services"]
    fields = {name.upper() for name in Settings.model_fields}
    for name in ("api", "worker", "beat", "migrate"):
        environment = services[name]["environment"]
        assert set(environment) <= fields, set(environment) - fields
        assert environment["BROKER_URL"].startswith("redis://redis:")
        assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert environment["ENVIRONMENT"] == "production"


def test_commands_name_the_real_celery_app_and_asgi_factory() -> None:
    import importlib

    services = _compose()["services"]
    for name in ("worker", "beat"):
        command = services[name]["command"]
        module = command[command.index("-A") + 1]
        assert hasattr(importlib.import_module(module), "app")
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd_line = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert "services.api.app:create_app" in cmd_line and "--factory" in cmd_line


def test_one_image_built_once_for_every_application_service() -> None:
    services = _compose()["services"]
    application = ("migrate", "api", "worker", "beat")
    images = {services[name]["image"] for name in application}
    assert len(images) == 1 and next(iter(images)).startswith("peermatch:")
    assert [name for name in services if "build" in services[name]] == ["api"]


def test_beat_has_a_healthcheck_too() -> None:
    services = _compose()["services"]
    check = services["beat"]["healthcheck"]["test"]
    assert "/tmp/celerybeat-schedule" in " ".join(check)
    assert "/tmp/celerybeat-schedule" in services["beat"]["command"]


def test_the_first_coordinator_is_documented_without_a_password_on_the_command_line() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    line = next(line for line in text.splitlines() if "create-coordinator" in line)
    assert "docker compose run --rm api peermatch create-coordinator" in line
    assert "--password" not in line


def test_production_defaults_are_not_baked_in() -> None:
    # Left unset, they fall back to what production refuses (see tests/core/test_settings.py).
    environment = _compose()["services"]["api"]["environment"]
    for name in ("DEFAULT_ORGANIZATION", "PUBLIC_URL", "SMTP_HOST"):
        assert environment[name].endswith(":-}"), name
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_uvicorn_is_served_alike_by_peermatch_run_and_the_image() -> None:
    from services.devserver import UVICORN_FLAGS, _commands

    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd_line = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    command = json.loads(cmd_line.removeprefix("CMD"))
    assert set(UVICORN_FLAGS) <= set(command)
    assert {"--no-access-log", "--no-server-header", "--proxy-headers"} <= set(UVICORN_FLAGS)
    api = _commands(8123, "10.0.0.1")["api"]
    assert set(UVICORN_FLAGS) <= set(api)
    assert api[api.index("--forwarded-allow-ips") + 1] == "10.0.0.1"
    assert api[api.index("--port") + 1] == "8123"


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is missing (make test installs it: scripts/install-system-deps.sh)",
)
def test_docker_compose_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        env={**os.environ, "SECRET_KEY": "x"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
