"""The HTTP edge: body size cap, security headers, the access log, and a 500 that keeps the
connection usable; and /docs served from the installed package, never a CDN."""

from __future__ import annotations

import json
import logging
import time
from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.errors import INTERNAL_ERROR, log_unexpected

logger = logging.getLogger("peermatch.api")

DOCS_PATH = "/docs"
DOCS_ASSETS = "/docs/assets"
# The web app's style and script files: nothing personal, so browsers may keep them.
STATIC_ASSETS = "/static"
# What an API answer may do in a browser: nothing, and never inside another site's frame.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI's page starts itself with an inline script; everything else comes from here.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def _json_answer(status: int, detail: str, extra: list[tuple[bytes, bytes]]) -> list[Message]:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


class EdgeMiddleware:
    """Everything every HTTP answer goes through, as plain ASGI (no per-request task)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.too_large = f"The request is too large: at most {max_body_bytes:,} bytes are accepted."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        status = 0
        response_started = False
        csp = DOCS_CSP if path == DOCS_PATH or path.startswith(DOCS_PATH + "/") else API_CSP
        cacheable = path.startswith((DOCS_ASSETS + "/", STATIC_ASSETS + "/"))

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"server"
                ]
                present = {name.lower() for name, _ in headers}
                headers += [pair for pair in COMMON_HEADERS if pair[0] not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp.encode()))
                # Personal data must not linger in a shared or browser cache.
                if not cacheable:
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            replay = await self._read_capped(scope, receive)
            if replay is None:
                # Refused before anything parses it; the rest of the body is not read, so the
                # connection closes after this answer.
                for message in _json_answer(413, self.too_large, [(b"connection", b"close")]):
                    await send_with_headers(message)
            else:
                await self.app(scope, replay, send_with_headers)
        except Exception as error:
            if response_started:
                raise
            # Answered here, not re-raised: the server then keeps the keep-alive connection
            # usable instead of dropping it under the client's next request.
            log_unexpected(scope.get("method", ""), path, error)
            for message in _json_answer(500, INTERNAL_ERROR, []):
                await send_with_headers(message)
        finally:
            # Method, path and status only: paths hold nothing but ids; no query strings
            # (they can carry filters), bodies or client addresses.
            logger.info(
                "%s %s %s %.1fms",
                scope.get("method", ""),
                path,
                status,
                (time.perf_counter() - started) * 1000,
            )

    async def _read_capped(self, scope: Scope, receive: Receive) -> Receive | None:
        """The body read up to the cap (None past it), as a `receive` that replays it."""
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            # Counted as it streams, for chunked bodies that declare no length.
            message = await receive()
            if message["type"] != "http.request":
                pending: Message | None = message
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                pending = None
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                if pending is not None:
                    return pending
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


def _swagger_assets() -> Path | None:
    # Swagger UI's files as shipped inside the fastapi-offline package, if it is installed.
    spec = find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    assets = Path(spec.origin).parent / "static"
    return assets if (assets / "swagger-ui-bundle.js").is_file() else None


def install_docs(app: FastAPI, openapi_url: str | None) -> bool:
    """Serve /docs from the installed package's files; False (and no /docs) without them."""
    assets = _swagger_assets() if openapi_url else None
    if assets is None or openapi_url is None:
        return False
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")
    redirect_url = f"{DOCS_PATH}/oauth2-redirect"

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API documentation",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            oauth2_redirect_url=redirect_url,
            # No badge fetched from the public validator.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    return True
