"""The browser's session: the access token in a secure, HttpOnly cookie, and CSRF tokens.

The web pages keep the API's own tokens, carried in a cookie instead of a header, so a
revoked or expired token closes both in the same way. Every form carries a CSRF token: the
HMAC, under the deployment's secret, of a random nonce held in its own HttpOnly cookie
(signed double submit), and every POST must also come from our own origin when the browser
says where it comes from.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response

from services.api.deps import SessionDep, SettingsDep
from services.core.accounts import sessions
from services.core.accounts.security import TokenClaims, read_access_token
from services.core.errors import DomainError, Forbidden
from services.core.models import Role, User
from services.core.settings import Settings

CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """A page for members only, asked for without a session: answered with the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form sent without its CSRF token, with a wrong one, or from another site."""


def _secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def session_cookie(settings: Settings) -> str:
    """The session cookie's name (`__Host-` when served over https, so no subdomain can set
    it)."""
    return "__Host-peermatch" if _secure(settings) else "peermatch"


def csrf_cookie(settings: Settings) -> str:
    """The CSRF nonce cookie's name."""
    return "__Host-peermatch-csrf" if _secure(settings) else "peermatch-csrf"


def _csrf_for(nonce: str, settings: Settings) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"csrf|{nonce}".encode(), hashlib.sha256
    ).hexdigest()


def csrf_token(request: Request, settings: Settings) -> str:
    """The token this page's forms carry; makes the nonce (set by `finish`) when there is
    none yet."""
    nonce = getattr(request.state, "csrf_nonce", None) or request.cookies.get(csrf_cookie(settings))
    if not nonce or len(nonce) > 64:
        nonce = secrets.token_urlsafe(32)
        request.state.new_csrf_nonce = nonce
    request.state.csrf_nonce = nonce
    return _csrf_for(nonce, settings)


def _same_origin(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None  # a browser that sends "null" hides where the form was
    sent = urlsplit(origin)
    ours = {(urlsplit(settings.public_url).scheme, urlsplit(settings.public_url).netloc)}
    ours.add((request.url.scheme, request.headers.get("host", "")))
    return (sent.scheme, sent.netloc) in ours


async def check_csrf(request: Request, settings: SettingsDep) -> None:
    """Refuses a form whose token does not match its nonce, or that came from elsewhere."""
    nonce = request.cookies.get(csrf_cookie(settings))
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if (
        not nonce
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, _csrf_for(nonce, settings))
        or not _same_origin(request, settings)
    ):
        raise CsrfRefused()


def finish(response: Response, request: Request, settings: Settings) -> Response:
    """Sets the CSRF nonce cookie on a page that made one."""
    nonce = getattr(request.state, "new_csrf_nonce", None)
    if nonce:
        response.set_cookie(
            csrf_cookie(settings),
            nonce,
            httponly=True,
            secure=_secure(settings),
            samesite="strict",
            path="/",
        )
    return response


def sign_in(response: Response, token: str, settings: Settings) -> None:
    """Opens the browser's session with this access token; a new CSRF nonce comes with it."""
    response.set_cookie(
        session_cookie(settings),
        token,
        max_age=settings.access_token_minutes * 60,
        httponly=True,
        secure=_secure(settings),
        samesite="lax",
        path="/",
    )
    response.delete_cookie(csrf_cookie(settings), path="/")


def sign_out(response: Response, settings: Settings) -> None:
    """Forgets the browser's session."""
    response.delete_cookie(session_cookie(settings), path="/")
    response.delete_cookie(csrf_cookie(settings), path="/")


def _claims(request: Request, settings: Settings) -> TokenClaims | None:
    token = request.cookies.get(session_cookie(settings))
    if not token:
        return None
    try:
        return read_access_token(token, secret=settings.secret_key)
    except DomainError:
        return None


def web_claims(request: Request, settings: SettingsDep) -> TokenClaims | None:
    """What the session cookie's token says, if it is valid."""
    return _claims(request, settings)


def web_visitor(
    request: Request,
    session: SessionDep,
    claims: Annotated[TokenClaims | None, Depends(web_claims)],
) -> User | None:
    """The logged-in account, or None for a visitor."""
    if claims is None:
        return None
    user = sessions.user_for_token(session=session, claims=claims)
    request.state.user = user
    return user


Visitor = Annotated[User | None, Depends(web_visitor)]


def web_member(request: Request, user: Visitor) -> User:
    """The logged-in account; a visitor is sent to log in, and comes back here after."""
    if user is None:
        path = request.url.path
        if request.method == "GET" and request.url.query:
            path = f"{path}?{request.url.query}"
        raise LoginRequired(path)
    return user


Member = Annotated[User, Depends(web_member)]


def web_coordinator(user: Member) -> User:
    """The logged-in coordinator; anyone else is told the page is not theirs."""
    if user.role != Role.coordinator:
        raise Forbidden("This page is for coordinators.")
    return user


Coordinator = Annotated[User, Depends(web_coordinator)]
Csrf = Depends(check_csrf)


def login_location(next_path: str) -> str:
    """The login page that comes back to `next_path` (only a path on this site)."""
    return f"/login?next={quote(safe_next(next_path))}"


def safe_next(next_path: str | None) -> str:
    """A path on this site to go to after logging in; anything else means the home page."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//"):
        return "/introductions"
    if "\\" in next_path or any(ord(char) < 32 for char in next_path):
        return "/introductions"
    return next_path
