"""docker-compose.yml cannot run here (no Docker engine), so read it for what must hold."""

from __future__ import annotations

from typing import Any

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
