"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from services.core.broker import broker_answers

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """200 while the process lives."""
    return {"status": "ok"}


@router.get(
    "/readyz", responses={503: {"description": "The database or the broker does not answer"}}
)
def readyz(request: Request) -> JSONResponse:
    """200 only when the database and the broker answer."""
    checks: dict[str, str] = {}
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # any failure to answer means not ready
        checks["database"] = "unavailable"
    broker_url = request.app.state.settings.broker_url
    checks["broker"] = "ok" if broker_answers(broker_url) else "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
