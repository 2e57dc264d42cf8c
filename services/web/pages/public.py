"""Pages for anyone: the start page, signing up, logging in and out, account recovery, the
privacy notice and crisis support."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError

from services.api.deps import ClientAddress, Now, ReaderDep, SessionDep, SettingsDep
from services.core.accounts import limits, recovery, sessions, signin
from services.core.accounts.privacy import PRIVACY_NOTICE_TEXT
from services.core.accounts.schemas import PasswordResetConfirm, PasswordResetRequest, Registration
from services.core.accounts.security import create_access_token
from services.core.accounts.service import get_organization_by_slug
from services.core.errors import DomainError
from services.core.models import Role
from services.core.safety import support
from services.web import session as web_session
from services.web.forms import field_errors
from services.web.render import WebRoute, go, page, problem
from services.web.session import Csrf, Visitor

router = APIRouter(route_class=WebRoute, include_in_schema=False)
NOTICES = {
    "signed-up": "Thank you for signing up. Please log in with your email and password.",
    "logged-out": "You are logged out. Take care.",
    "reset-sent": (
        "If that email has an account, a link to choose a new password is on its way. "
        "It works once, for a short time."
    ),
    "password-set": "Your new password is set. Please log in with it.",
}
FormText = Annotated[str, Form()]


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


@router.get("/")
def home(request: Request, user: Visitor) -> Response:
    return page(request, "home.html", title="Welcome", notice=_notice(request))


@router.get("/support")
def crisis_support(
    request: Request, session: SessionDep, settings: SettingsDep, user: Visitor
) -> Response:
    if user is not None:
        resources = support.for_organization(session=session, organization_id=user.organization_id)
    else:
        resources = support.for_slug(
            session=session, slug=None, default_organization=settings.default_organization
        )
    return page(request, "support.html", title="Crisis support", resources=resources)


@router.get("/privacy")
def privacy(request: Request, settings: SettingsDep, user: Visitor) -> Response:
    return page(
        request,
        "privacy.html",
        title="Privacy notice",
        text=PRIVACY_NOTICE_TEXT,
        version=settings.privacy_notice_version,
    )


@router.get("/signup")
def signup_form(
    request: Request, session: SessionDep, user: Visitor, organization: str | None = None
) -> Response:
    joining = (
        get_organization_by_slug(session=session, slug=organization[:50]) if organization else None
    )
    return page(
        request,
        "signup.html",
        title="Sign up",
        values={"organization": joining.slug if joining else ""},
        joining=joining.name if joining else None,
        unknown_link=bool(organization) and joining is None,
        errors={},
        notice_text=PRIVACY_NOTICE_TEXT,
    )


@router.post("/signup", dependencies=[Csrf])
def signup(
    request: Request,
    session: SessionDep,
    reader: ReaderDep,
    settings: SettingsDep,
    client: ClientAddress,
    now: Now,
    email: FormText = "",
    password: FormText = "",
    display_name: FormText = "",
    consent: FormText = "",
    organization: FormText = "",
) -> Response:
    values = {"email": email, "display_name": display_name, "organization": organization}
    errors: dict[str, str] = {}
    if consent != "yes":
        errors["consent"] = "Please read the privacy notice and tick the box to agree to it."
    try:
        registration = Registration(
            email=email,
            password=password,
            display_name=display_name,
            organization=organization or None,
            consent_version=settings.privacy_notice_version,
        )
    except ValidationError as error:
        errors = {**field_errors(error), **errors}
    if errors:
        return _signup_again(request, values, errors)
    try:
        signin.register_privately(
            session=session,
            reader=reader,
            settings=settings,
            registration=registration,
            client=client,
            now=now,
        )
    except limits.TooManyAttempts:
        return problem(request, 429, limits.TOO_MANY)
    except DomainError as error:
        return _signup_again(request, values, field_errors(error))
    # The same answer whether or not the email had an account, as the API's.
    return go("/login", notice="signed-up")


def _signup_again(request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
    return page(
        request,
        "signup.html",
        status_code=422,
        title="Sign up",
        values=values,
        errors=errors,
        notice_text=PRIVACY_NOTICE_TEXT,
    )


@router.get("/login")
def login_form(request: Request, user: Visitor, next: str | None = None) -> Response:
    return page(
        request,
        "login.html",
        title="Log in",
        next=web_session.safe_next(next),
        errors={},
        notice=_notice(request),
    )


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    session: SessionDep,
    reader: ReaderDep,
    settings: SettingsDep,
    client: ClientAddress,
    now: Now,
    email: FormText = "",
    password: FormText = "",
    next: FormText = "",
) -> Response:
    try:
        user = signin.login(
            session=session,
            reader=reader,
            settings=settings,
            email=email,
            password=password,
            client=client,
            now=now,
        )
    except limits.TooManyAttempts:
        return problem(request, 429, limits.TOO_MANY)
    if user is None:
        return page(
            request,
            "login.html",
            status_code=401,
            title="Log in",
            next=web_session.safe_next(next),
            errors={"form": "That email and password did not match. Please try again."},
            email=email,
        )
    token = create_access_token(
        user.id,
        secret=settings.secret_key,
        minutes=settings.access_token_minutes,
        version=user.token_version,
    )
    landing = "/coordinator" if user.role == Role.coordinator else "/introductions"
    response = go(web_session.safe_next(next) if next else landing)
    web_session.sign_in(response, token, settings)
    return response


@router.get("/logout")
def logout_form(request: Request, user: Visitor) -> Response:
    if user is None:
        return go("/login")
    return page(request, "logout.html", title="Log out")


@router.post("/logout", dependencies=[Csrf])
def logout(
    request: Request, session: SessionDep, settings: SettingsDep, user: Visitor, now: Now
) -> Response:
    claims = web_session.web_claims(request, settings)
    if user is not None and claims is not None:
        sessions.logout(session=session, user=user, claims=claims, now=now)
    response = go("/", notice="logged-out")
    web_session.sign_out(response, settings)
    return response


@router.get("/forgot-password")
def forgot_form(request: Request, user: Visitor) -> Response:
    return page(request, "forgot.html", title="Forgot your password?", errors={})


@router.post("/forgot-password", dependencies=[Csrf])
def forgot(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientAddress,
    now: Now,
    email: FormText = "",
) -> Response:
    try:
        wanted = PasswordResetRequest(email=email)
    except ValidationError as error:
        return page(
            request,
            "forgot.html",
            status_code=422,
            title="Forgot your password?",
            errors=field_errors(error),
        )
    try:
        recovery.request_reset(
            session=session, settings=settings, email=wanted.email, client=client, now=now
        )
    except limits.TooManyAttempts:
        return problem(request, 429, limits.TOO_MANY)
    return go("/login", notice="reset-sent")


@router.get("/reset-password")
def reset_form(request: Request, user: Visitor, token: str = "") -> Response:
    return page(request, "reset.html", title="Choose a new password", token=token, errors={})


@router.post("/reset-password", dependencies=[Csrf])
def reset(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    token: FormText = "",
    new_password: FormText = "",
) -> Response:
    try:
        confirmed = PasswordResetConfirm(token=token, new_password=new_password)
        recovery.confirm_reset(
            session=session, token=confirmed.token, new_password=confirmed.new_password, now=now
        )
    except (ValidationError, DomainError) as error:
        return page(
            request,
            "reset.html",
            status_code=422,
            title="Choose a new password",
            token=token,
            errors=field_errors(error),
        )
    response = go("/login", notice="password-set")
    web_session.sign_out(response, settings)
    return response
