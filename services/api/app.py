"""The FastAPI application factory."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from services.api.edge import EdgeMiddleware, install_docs
from services.api.errors import install_error_handlers
from services.api.responses import declare_errors
from services.api.routers import (
    auth,
    coordinator,
    health,
    introductions,
    matching,
    me,
    model,
    places,
)
from services.api.routers import safety as safety_routes
from services.core.broker import publish_to
from services.core.db import make_engine, make_session_factory
from services.core.logging import configure_logging
from services.core.outbox import OutboxRelay
from services.core.profiles import geo
from services.core.settings import Settings, get_settings
from services.web import install_web

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
        # The city index takes a second or two to build: not on someone's first keystroke.
        threading.Thread(target=geo.warm, name="places-index", daemon=True).start()
        yield
        if relay is not None:
            relay.stop()
        engine.dispose()

    openapi_url = "/openapi.json" if settings.docs_on else None
    app = FastAPI(
        title="PeerMatch",
        version="1.0.0",
        summary="Sponsor and mentor matching for people in recovery",
        lifespan=lifespan,
        openapi_url=openapi_url,
        # /docs is ours (services.api.edge): Swagger UI from the installed package, not a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.relay = relay
    install_error_handlers(app)

    if settings.cors_origins:
        # Only the listed origins; bearer tokens, not cookies, so no credentials mode.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["X-Total-Count", "Retry-After"],
            max_age=600,
        )
    # Added last, so outermost: its headers, body cap and access log cover every answer.
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes)
    app.state.docs = install_docs(app, openapi_url)

    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth.router,
        me.router,
        introductions.router,
        coordinator.router,
        matching.router,
        model.router,
        safety_routes.router,
        places.router,
    ):
        api.include_router(declare_errors(router))
    app.include_router(api)
    app.include_router(declare_errors(health.router))
    install_web(app)
    return app
