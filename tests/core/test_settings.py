"""Settings that refuse to serve the public unsafely, and a development secret of one's own."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from services.core.settings import PUBLISHED_SECRETS, Settings, checkout_secret

SAFE_PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "secret_key": "a-private-secret-that-is-long-enough-0123456789",
    "default_organization": "riverside",
    "public_url": "https://peermatch.example.org",
    "email_backend": "smtp",
    "smtp_host": "smtp.example.org",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # What a developer's shell or .env holds must not decide these tests.
    for name in list(os.environ):
        if name.upper() in {field.upper() for field in Settings.model_fields}:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_safe_production_settings_start() -> None:
    settings = Settings(**SAFE_PRODUCTION)
    assert settings.production_problems() == []
    assert settings.docs_on is False


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"secret_key": ""}, "SECRET_KEY"),
        ({"default_organization": "demo"}, "DEFAULT_ORGANIZATION"),
        ({"public_url": "http://peermatch.example.org"}, "PUBLIC_URL"),
        ({"public_url": ""}, "PUBLIC_URL"),
        ({"smtp_host": "localhost"}, "SMTP_HOST"),
        ({"smtp_host": "127.0.0.1"}, "SMTP_HOST"),
        ({"smtp_host": "[::1]"}, "SMTP_HOST"),
    ],
)
def test_production_refuses_what_is_unsafe(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Settings(**(SAFE_PRODUCTION | change))


@pytest.mark.parametrize(
    "on_purpose",
    [
        {"default_organization": "demo", "allow_demo_organization": True},
        {"public_url": "http://10.0.0.5:8000", "allow_http_public_url": True},
        {"smtp_host": "localhost", "allow_local_smtp": True},
        # A local SMTP host is no concern while mail goes to files.
        {"smtp_host": "localhost", "email_backend": "file"},
    ],
)
def test_production_accepts_each_exception_set_on_purpose(on_purpose: dict[str, Any]) -> None:
    Settings(**(SAFE_PRODUCTION | on_purpose))


def test_the_environment_sets_it_all(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SAFE_PRODUCTION.items():
        monkeypatch.setenv(name.upper(), value)
    monkeypatch.setenv("CORS_ORIGINS", "https://app.example.org, https://admin.example.org/")
    settings = Settings()
    assert settings.cors_origins == ["https://app.example.org", "https://admin.example.org"]
    # Compose passes unset variables as empty strings: they mean "the default", which
    # production then refuses with a plain reason.
    monkeypatch.setenv("DEFAULT_ORGANIZATION", "")
    with pytest.raises(ValidationError, match="DEFAULT_ORGANIZATION"):
        Settings()


def test_cors_origins_are_named_never_a_wildcard() -> None:
    assert Settings(environment="test", secret_key="s" * 40).cors_origins == []
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        Settings(environment="test", secret_key="s" * 40, cors_origins="*")


@pytest.mark.parametrize("secret", ["short-but-private", next(iter(PUBLISHED_SECRETS))])
@pytest.mark.parametrize("environment", ["development", "production"])
def test_a_weak_secret_is_refused_without_printing_it(secret: str, environment: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**(SAFE_PRODUCTION | {"environment": environment, "secret_key": secret}))
    message = str(refused.value)
    assert "SECRET_KEY" in message
    assert secret not in message and secret not in repr(refused.value)


def test_the_secret_never_appears_in_the_settings_repr() -> None:
    settings = Settings(**SAFE_PRODUCTION)
    assert SAFE_PRODUCTION["secret_key"] not in repr(settings)


def test_each_checkout_makes_its_own_secret_once(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    first = Settings(environment="development", secret_key_file=path)
    assert len(first.secret_key) >= 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(environment="test", secret_key_file=path).secret_key == first.secret_key
    assert checkout_secret(path) == first.secret_key
    other = Settings(environment="development", secret_key_file=tmp_path / "other" / "key")
    assert other.secret_key != first.secret_key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no drafts left
    # An explicit SECRET_KEY wins, and production never invents one.
    explicit = Settings(environment="development", secret_key="e" * 40, secret_key_file=path)
    assert explicit.secret_key == "e" * 40
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(**(SAFE_PRODUCTION | {"secret_key": "", "secret_key_file": path}))


def test_the_repository_ignores_the_secret_file() -> None:
    root = Path(__file__).resolve().parents[2]
    ignored = (root / ".gitignore").read_text().split()
    assert "var/" in ignored
    assert Settings.model_fields["secret_key_file"].default.parent.name == "var"


def test_public_url_follows_the_port_in_development(tmp_path: Path) -> None:
    key = tmp_path / "key"
    assert Settings(secret_key_file=key).public_url == "http://127.0.0.1:8000"
    assert Settings(secret_key_file=key, port=8123).public_url == "http://127.0.0.1:8123"
    chosen = Settings(secret_key_file=key, port=8123, public_url="https://x.example.org/")
    assert chosen.public_url == "https://x.example.org"


def test_docs_default_on_except_in_production(tmp_path: Path) -> None:
    key = tmp_path / "key"
    assert Settings(environment="development", secret_key_file=key).docs_on is True
    assert Settings(environment="test", secret_key_file=key).docs_on is True
    assert Settings(environment="test", secret_key_file=key, docs_enabled=False).docs_on is False
    assert Settings(**(SAFE_PRODUCTION | {"docs_enabled": True})).docs_on is True
