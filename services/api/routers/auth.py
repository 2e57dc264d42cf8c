"""Registration and login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from services.api.deps import SessionDep, SettingsDep
from services.core.accounts import service as accounts
from services.core.accounts import views as account_views
from services.core.accounts.schemas import AccountCreate, AccountPublic, Token
from services.core.accounts.security import create_access_token

router = APIRouter(prefix="/auth", tags=["accounts"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=AccountPublic)
def register(body: AccountCreate, session: SessionDep, settings: SettingsDep) -> AccountPublic:
    """Create a member account in an organization (the deployment's default when omitted)."""
    user = accounts.register(
        session=session, account=body, default_organization=settings.default_organization
    )
    return account_views.to_public(user)


@router.post("/token", response_model=Token)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> Token:
    """Exchange email (as `username`) and password for a bearer token."""
    user = accounts.authenticate(session=session, email=form.username, password=form.password)
    token = create_access_token(
        user.id, secret=settings.secret_key, minutes=settings.access_token_minutes
    )
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)
