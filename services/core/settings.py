"""Deployment settings, read from the environment (prefix-free names) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The embedded default keeps everything under one git-ignored folder next to the checkout.
VAR_DIR = Path(__file__).resolve().parents[2] / "var"
DEVELOPMENT_SECRET = "development-only-secret-change-me-in-production"


class Settings(BaseSettings):
    """Everything a deployment can change, with defaults that run on a laptop."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{VAR_DIR / 'peermatch.db'}"
    broker_url: str = f"sqla+sqlite:///{VAR_DIR / 'broker.db'}"
    secret_key: str = Field(default=DEVELOPMENT_SECRET, min_length=32)
    access_token_minutes: int = Field(default=60, ge=1, le=60 * 24 * 7)
    default_organization: str = "demo"
    default_organization_name: str = "Demo Recovery Fellowship"
    log_level: str = "INFO"

    # Matching and the introductions workflow.
    proposal_expiry_days: int = Field(default=7, ge=1, le=60)
    batch_matching_minutes: int = Field(default=360, ge=1)
    expiry_check_seconds: int = Field(default=60, ge=1)
    # How often beat matches mentees left waiting while a feasible place is free.
    reconcile_seconds: int = Field(default=60, ge=1)

    # Seconds before Redis hands a killed worker's unacknowledged task to another worker.
    broker_visibility_timeout: int = Field(default=300, ge=2)

    # The transactional outbox: the API relays queued tasks to the broker in a thread.
    outbox_relay: bool = True
    outbox_relay_seconds: float = Field(default=1.0, gt=0)

    # Email: `file` writes .eml files under MAIL_DIR (the embedded default), `smtp` sends.
    email_backend: Literal["file", "smtp"] = "file"
    mail_dir: Path = VAR_DIR / "mail"
    email_from: str = "PeerMatch <no-reply@peermatch.invalid>"
    public_url: str = "http://127.0.0.1:8000"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True

    # Accounts (API.md 1.1): consent, sessions, abuse limits, account recovery.
    privacy_notice_version: str = "2026-12-01"
    login_failure_limit: int = Field(default=10, ge=1)
    auth_client_limit: int = Field(default=50, ge=1)
    auth_window_minutes: int = Field(default=15, ge=1)
    password_reset_minutes: int = Field(default=60, ge=5, le=60 * 24)

    # The HTTP edge: browsers' origins allowed (none by default), the largest body read,
    # the proxies whose forwarded headers are believed, and whether /docs is served.
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    forwarded_allow_ips: str = "127.0.0.1"
    docs_enabled: bool | None = None  # None: on except in production

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> Settings:
        # A forgotten SECRET_KEY would let anyone mint tokens: refuse to start instead.
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("SECRET_KEY must be set to a private value in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
