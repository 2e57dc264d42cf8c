"""Dependencies: the request's session and transaction, the caller, and role checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from services.core.accounts.security import read_access_token
from services.core.accounts.service import get_user
from services.core.errors import Forbidden, Unauthorized
from services.core.models import Role, User
from services.core.outbox import PENDING_KEY
from services.core.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    """The settings this app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit when the handler returns, roll back on error."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        # Rolling back also drops the tasks this request queued in the outbox.
        session.rollback()
        raise
    finally:
        session.close()
    if session.info.pop(PENDING_KEY, False) and request.app.state.relay is not None:
        # Queued only now, after the commit: a worker never sees work that isn't there yet.
        request.app.state.relay.wake()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
Offset = Annotated[int, Query(ge=0, description="rows to skip")]
# scope="function": the commit happens before the response is sent, so a client that got
# 201 finds its data on its very next request (FastAPI's default would commit after).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_current_user(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The logged-in account, or 401."""
    if token is None:
        raise Unauthorized("Not authenticated")
    user = get_user(session=session, user_id=read_access_token(token, secret=settings.secret_key))
    if user is None:
        raise Unauthorized("Could not validate credentials")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_coordinator(user: CurrentUser) -> User:
    """The logged-in account if it coordinates its organization, else 403."""
    if user.role != Role.coordinator:
        raise Forbidden("Only coordinators may do this")
    return user


CurrentCoordinator = Annotated[User, Depends(get_coordinator)]
