"""Deployment settings, read from the environment (prefix-free names) and `.env`."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The embedded default keeps everything under one git-ignored folder next to the checkout.
VAR_DIR = Path(__file__).resolve().parents[2] / "var"
# Secrets that were once published in this repository: refused everywhere, as anyone can
# mint tokens with them.
PUBLISHED_SECRETS = frozenset({"development-only-secret-change-me-in-production"})
MIN_SECRET_LENGTH = 32


def checkout_secret(path: Path) -> str:
    """This checkout's own development secret: read from `path`, made there on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: link fails if another process (the API and the
    # worker start together) got there first, and then both use the one that won.
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


def _is_local_host(host: str) -> bool:
    name = host.strip().strip("[]").casefold()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ip_address(name).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Everything a deployment can change, with defaults that run on a laptop."""

    # hide_input_in_errors: a refused setting (a short SECRET_KEY, say) is never printed.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", hide_input_in_errors=True, env_ignore_empty=True
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'peermatch.db'}"
    broker_url: str = f"sqla+sqlite:///{VAR_DIR / 'broker.db'}"
    # Unset: in development and test, this checkout's own random secret (SECRET_KEY_FILE);
    # in production, a refusal to start.
    secret_key: str = Field(default="", repr=False)
    secret_key_file: Path = VAR_DIR / "secret_key"
    access_token_minutes: int = Field(default=60, ge=1, le=60 * 24 * 7)
    default_organization: str = "demo"
    default_organization_name: str = "Demo Recovery Fellowship"
    # The demo organization in production only when asked for by name.
    allow_demo_organization: bool = False
    log_level: str = "INFO"

    # Matching and the introductions workflow.
    proposal_expiry_days: int = Field(default=7, ge=1, le=60)
    batch_matching_minutes: int = Field(default=360, ge=1)
    # How often beat refits each organization's learned model (weekly).
    model_refit_hours: int = Field(default=168, ge=1)
    # The least a refit learns from: outcomes in all, and of each kind (became a mentorship
    # or not).
    model_min_outcomes: int = Field(default=40, ge=4)
    model_min_each: int = Field(default=10, ge=4)
    expiry_check_seconds: int = Field(default=60, ge=1)
    # How often beat matches mentees left waiting while a feasible place is free.
    reconcile_seconds: int = Field(default=60, ge=1)
    # Entries of members' access logs older than this are deleted (a beat task, hourly).
    access_log_retention_days: int = Field(default=365, ge=1)

    # Seconds before Redis hands a killed worker's unacknowledged task to another worker.
    broker_visibility_timeout: int = Field(default=300, ge=2)

    # The transactional outbox: the API relays queued tasks to the broker in a thread.
    outbox_relay: bool = True
    outbox_relay_seconds: float = Field(default=1.0, gt=0)

    # Email: `file` writes .eml files under MAIL_DIR (the embedded default), `smtp` sends.
    email_backend: Literal["file", "smtp"] = "file"
    mail_dir: Path = VAR_DIR / "mail"
    email_from: str = "PeerMatch <no-reply@peermatch.invalid>"
    # The port `peermatch run` serves on; PUBLIC_URL follows it unless set.
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = ""
    allow_http_public_url: bool = False
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_starttls: bool = True
    allow_local_smtp: bool = False

    # Accounts (API.md 1.1): consent, sessions, abuse limits, account recovery.
    privacy_notice_version: str = "2026-12-01"
    login_failure_limit: int = Field(default=10, ge=1)
    auth_client_limit: int = Field(default=50, ge=1)
    auth_window_minutes: int = Field(default=15, ge=1)
    password_reset_minutes: int = Field(default=60, ge=5, le=60 * 24)

    # The HTTP edge: browsers' origins allowed (none by default; in the environment a
    # comma-separated list), the largest body read, the proxies whose forwarded headers
    # are believed (uvicorn reads the same FORWARDED_ALLOW_IPS), and whether /docs is served.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    forwarded_allow_ips: str = "127.0.0.1"
    docs_enabled: bool | None = None  # None: on except in production

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            origins = [str(origin).strip().rstrip("/") for origin in value]
            if "*" in origins:
                raise ValueError("CORS_ORIGINS lists origins by name; '*' is not accepted")
            return [origin for origin in origins if origin]
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: str) -> str:
        # The message never repeats the value (and hide_input_in_errors keeps pydantic quiet).
        if value in PUBLISHED_SECRETS:
            raise ValueError("SECRET_KEY is a published example; set a private random value")
        if value and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        return value

    @model_validator(mode="after")
    def _complete_and_safe(self) -> Settings:
        if not self.public_url:
            self.public_url = f"http://127.0.0.1:{self.port}"
        self.public_url = self.public_url.rstrip("/")
        if self.environment == "production":
            problems = self.production_problems()
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        elif not self.secret_key:
            self.secret_key = checkout_secret(self.secret_key_file)
        return self

    def production_problems(self) -> list[str]:
        """What makes these settings unsafe to serve the public with, in plain words."""
        problems = []
        if not self.secret_key:
            problems.append("set SECRET_KEY to a long random value")
        if self.default_organization == "demo" and not self.allow_demo_organization:
            problems.append(
                "DEFAULT_ORGANIZATION is the demo one; set your own, or "
                "ALLOW_DEMO_ORGANIZATION=true on purpose"
            )
        if not self.public_url.startswith("https://") and not self.allow_http_public_url:
            problems.append(
                "PUBLIC_URL must start with https://, or set ALLOW_HTTP_PUBLIC_URL=true on purpose"
            )
        if (
            self.email_backend == "smtp"
            and _is_local_host(self.smtp_host)
            and not self.allow_local_smtp
        ):
            problems.append(
                "SMTP_HOST is this machine; set your mail server, or ALLOW_LOCAL_SMTP=true "
                "on purpose"
            )
        return problems

    @property
    def docs_on(self) -> bool:
        """Whether /docs and the OpenAPI document are served."""
        if self.docs_enabled is not None:
            return self.docs_enabled
        return self.environment != "production"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
