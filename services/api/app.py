"""The FastAPI application factory."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response

from services.api.errors import install_error_handlers
from services.api.routers import auth, coordinator, health, introductions, matching, me
from services.core.broker import publish_to
from services.core.db import make_engine, make_session_factory
from services.core.logging import configure_logging
from services.core.outbox import OutboxRelay
from services.core.settings import Settings, get_settings

API_PREFIX = "/api/v1"
logger = logging.getLogger("peermatch.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for these settings (the environment's by default)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    engine = make_engine(settings.database_url)

    session_factory = make_session_factory(engine)
    relay = (
        OutboxRelay(session_factory, publish_to(settings.broker_url), settings.outbox_relay_seconds)
        if settings.outbox_relay
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if relay is not None:
            relay.start()
        yield
        if relay is not None:
            relay.stop()
        engine.dispose()

    app = FastAPI(
        title="PeerMatch",
        version="1.0.0",
        summary="Sponsor and mentor matching for people in recovery",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.relay = relay
    install_error_handlers(app)

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Method, path and status only: paths hold nothing but ids; no query strings (they
        # can carry filters), bodies or client addresses.
        started = time.perf_counter()
        response = await call_next(request)
        logger.info(
            "%s %s %s %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth.router,
        me.router,
        introductions.router,
        coordinator.router,
        matching.router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(health.router)
    return app
