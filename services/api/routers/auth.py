"""Registration, login, logout, account recovery and the privacy notice."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from services.api.deps import (
    ClientAddress,
    CurrentUser,
    Now,
    ReaderDep,
    SessionDep,
    SettingsDep,
    TokenClaimsDep,
)
from services.core.accounts import limits, recovery, sessions, signin
from services.core.accounts.privacy import PRIVACY_NOTICE_TEXT
from services.core.accounts.schemas import (
    Accepted,
    AccountCreated,
    PasswordResetConfirm,
    PasswordResetRequest,
    PrivacyNotice,
    Problem,
    Registration,
    Token,
)
from services.core.accounts.security import create_access_token

router = APIRouter(tags=["accounts"])

NOT_LOGGED_IN: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not logged in, or the token was revoked or expired"}
}
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {
        "model": Problem,
        "description": "Too many attempts from this client or for this email; try again later",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "schema": {"type": "integer"},
            }
        },
    }
}
WRONG_CREDENTIALS = "Incorrect email or password"


def too_many(error: limits.TooManyAttempts) -> JSONResponse:
    """The 429 answer, with how long to wait."""
    return JSONResponse(
        {"detail": error.detail},
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(error.retry_after)},
    )


@router.get("/privacy-notice", response_model=PrivacyNotice)
def read_privacy_notice(settings: SettingsDep) -> PrivacyNotice:
    """The privacy notice: what is kept, who sees what and when, and your rights. Registering
    means accepting it: send its `version` as `consent_version`."""
    return PrivacyNotice(version=settings.privacy_notice_version, text=PRIVACY_NOTICE_TEXT)


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountCreated,
    responses=TOO_MANY,
)
def register(
    body: Registration,
    session: SessionDep,
    reader: ReaderDep,
    settings: SettingsDep,
    client: ClientAddress,
    now: Now,
) -> AccountCreated | JSONResponse:
    """Create a member account in an organization (the deployment's default when omitted).
    An email that already has an account gets the same answer and changes nothing; its
    owner is told by email. Log in to read your account's id."""
    try:
        return signin.register_privately(
            session=session,
            reader=reader,
            settings=settings,
            registration=body,
            client=client,
            now=now,
        )
    except limits.TooManyAttempts as error:
        return too_many(error)


@router.post(
    "/auth/token",
    response_model=Token,
    responses={
        401: {"model": Problem, "description": "Incorrect email or password"},
        **TOO_MANY,
    },
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    reader: ReaderDep,
    settings: SettingsDep,
    client: ClientAddress,
    now: Now,
) -> Token | JSONResponse:
    """Exchange email (as `username`) and password for a bearer token."""
    try:
        user = signin.login(
            session=session,
            reader=reader,
            settings=settings,
            email=form.username,
            password=form.password,
            client=client,
            now=now,
        )
    except limits.TooManyAttempts as error:
        return too_many(error)
    if user is None:
        # Answered, not raised: the failure just counted must be committed.
        return JSONResponse(
            {"detail": WRONG_CREDENTIALS},
            status_code=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = create_access_token(
        user.id,
        secret=settings.secret_key,
        minutes=settings.access_token_minutes,
        version=user.token_version,
    )
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_LOGGED_IN)
def logout(session: SessionDep, user: CurrentUser, claims: TokenClaimsDep, now: Now) -> Response:
    """Log out: the token this is called with stops working at once."""
    sessions.logout(session=session, user=user, claims=claims, now=now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=TOO_MANY,
)
def request_password_reset(
    body: PasswordResetRequest,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientAddress,
    now: Now,
) -> Accepted | JSONResponse:
    """Ask for a link to choose a new password. The answer is the same whether or not the
    email has an account; the link works once, for PASSWORD_RESET_MINUTES."""
    try:
        recovery.request_reset(
            session=session, settings=settings, email=body.email, client=client, now=now
        )
    except limits.TooManyAttempts as error:
        return too_many(error)
    return Accepted(detail=recovery.ACCEPTED)


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_password_reset(body: PasswordResetConfirm, session: SessionDep, now: Now) -> Response:
    """Choose a new password with the token from a reset link; every earlier token stops
    working. A used, expired or unknown link answers 422."""
    recovery.confirm_reset(
        session=session, token=body.token, new_password=body.new_password, now=now
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
