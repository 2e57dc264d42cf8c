"""Rendering pages: the templates, each page's security headers, and the route class that
turns the services' errors into pages instead of JSON."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.api.errors import DATABASE_UNAVAILABLE, log_unavailable, log_unexpected
from services.core.errors import DomainError
from services.core.settings import Settings
from services.web import session as web_session
from services.web.words import filters

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(filters())
# Pages run only our own script and style files: no inline code, nothing from elsewhere.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def page(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
    """One page, with the visitor, the CSRF token and the crisis link every page carries."""
    settings = _settings(request)
    user = getattr(request.state, "user", None)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "csrf_token": web_session.csrf_token(request, settings),
            "csrf_field": web_session.CSRF_FIELD,
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    response.headers["content-security-policy"] = PAGE_CSP
    # Our own forms then carry an Origin to check; other sites are told nothing.
    response.headers["referrer-policy"] = "same-origin"
    return web_session.finish(response, request, settings)


def go(location: str, *, notice: str | None = None) -> RedirectResponse:
    """After a form: see the page that shows what changed (303, so a reload resends
    nothing)."""
    if notice:
        location = f"{location}{'&' if '?' in location else '?'}done={notice}"
    return RedirectResponse(location, status_code=303)


TITLES = {
    401: "Please log in",
    403: "This page is not for you",
    404: "Not found",
    409: "That can't be done right now",
    413: "That was too much to send",
    422: "Something needs another look",
    429: "Please wait a little",
    500: "Something went wrong on our side",
    503: "PeerMatch is briefly unavailable",
}
NOTHING_SAVED = "Nothing you sent was saved. Please wait a moment and try again."
SOMETHING_BROKE = (
    "It has been noted and we will look into it. Nothing you sent was saved; please try "
    "again in a little while."
)


def problem(request: Request, status_code: int, message: str) -> Response:
    """A page that says plainly what went wrong, in the page's own frame."""
    return page(
        request,
        "problem.html",
        status_code=status_code,
        title=TITLES.get(status_code, "Something went wrong"),
        message=message,
    )


class WebRoute(APIRoute):
    """A page route: a visitor who must log in is sent to log in, a refused form or a
    service's error becomes a page that says what happened, never JSON or a traceback."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except web_session.LoginRequired as needed:
                return RedirectResponse(web_session.login_location(needed.next_path), 303)
            except web_session.CsrfRefused:
                return problem(
                    request,
                    403,
                    "This form had expired or did not come from PeerMatch, so nothing was "
                    "changed. Please go back, reload the page and try again.",
                )
            except DomainError as error:
                message = error.detail if isinstance(error.detail, str) else _first(error.detail)
                return problem(request, error.status_code, message)
            except RequestValidationError:
                return problem(request, 422, "Some of what was sent could not be read.")
            except DATABASE_UNAVAILABLE as error:
                log_unavailable(request.method, request.url.path, error)
                return problem(request, 503, NOTHING_SAVED)
            except Exception as error:
                log_unexpected(request.method, request.url.path, error)
                return problem(request, 500, SOMETHING_BROKE)

        return handle


def _first(errors: list[dict[str, object]]) -> str:
    return str(errors[0].get("msg", "Please check what you entered.")) if errors else ""


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script)."""
    return not request.url.path.startswith(("/api/", "/docs", "/openapi")) and "text/html" in (
        request.headers.get("accept", "")
    )


def install_page_errors(app: FastAPI) -> None:
    """A browser that asks for a page that is not there gets a page that says so; the API
    keeps its JSON answers."""
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if wants_page(request) and error.status_code in {404, 405}:
            return problem(
                request,
                404,
                "There is no page at this address. It may have moved, or the link may be "
                "incomplete.",
            )
        answer = api_handler(request, error)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, http_error)
