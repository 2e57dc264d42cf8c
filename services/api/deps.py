"""Dependencies: the request's session and transaction, the caller, and role checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Annotated, TypeVar

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from services.core.accounts import sessions
from services.core.accounts.security import TokenClaims, read_access_token
from services.core.db import read_only_session, utcnow
from services.core.errors import Forbidden, Unauthorized
from services.core.models import Role, User
from services.core.outbox import PENDING_KEY
from services.core.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Dependencies that neither wait nor compute much are `async def`: FastAPI runs each plain
# `def` dependency in a thread of its pool, a hop that cost more than the work (an
# authenticated read made seven of them).


async def get_settings_dep(request: Request) -> Settings:
    """The settings this app was built with."""
    settings: Settings = request.app.state.settings
    return settings


Endpoint = TypeVar("Endpoint", bound=Callable[..., object])
# Set on a GET endpoint that writes (see `records_reads`).
RECORDS_READS = "peermatch_records_reads"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def records_reads(endpoint: Endpoint) -> Endpoint:
    """Marks a GET route that writes: a coordinator's read is logged in the member's access
    log in the same transaction as the read, so the route needs a writing session."""
    setattr(endpoint, RECORDS_READS, True)
    return endpoint


def _only_reads(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return request.method in SAFE_METHODS and not getattr(endpoint, RECORDS_READS, False)


def _commit(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _roll_back(session: Session) -> None:
    try:
        # Rolling back also drops the tasks this request queued in the outbox.
        session.rollback()
    finally:
        session.close()


async def _finish(end: Callable[[Session], None], session: Session) -> None:
    with CancelScope(shield=True):
        await anyio.to_thread.run_sync(end, session, limiter=CapacityLimiter(1))


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: commit when the handler returns, roll back on error.

    A GET reads in a read-only session (on SQLite: a snapshot, no write lock, so reads never
    queue behind writers); one that must write is marked with `records_reads`.

    Making the session touches no database, so it is made here, on the event loop; the
    commit (or rollback) and the close wait for the database, so they run in one hop to
    the thread pool. As FastAPI does for a plain generator's exit, that hop is shielded from
    cancellation (a client that hung up still gets its connection returned) and does not
    queue for the pool's capacity: a request holding a connection must always be able to
    give it back, even when every thread of the pool waits for one."""
    factory = request.app.state.session_factory
    session: Session = read_only_session(factory) if _only_reads(request) else factory()
    try:
        yield session
    except BaseException:
        await _finish(_roll_back, session)
        raise
    if not session.info.pop(_ENDED, False):  # `member_read` ended it in its own hop
        await _finish(_commit, session)
    if session.info.pop(PENDING_KEY, False) and request.app.state.relay is not None:
        # Queued only now, after the commit: a worker never sees work that isn't there yet.
        request.app.state.relay.wake()


def get_reader(request: Request) -> Iterator[Session]:
    """A read-only session beside the request's own, for a POST that reads before it writes
    (a login checks the password before its short write transaction begins)."""
    session = read_only_session(request.app.state.session_factory)
    try:
        yield session
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
Limit = Annotated[int, Query(ge=1, le=100, description="page size")]
# Bounded, so that no offset overflows the database's integers (a 422, never a 500).
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]
# scope="function": the commit happens before the response is sent, so a client that got
# 201 finds its data on its very next request (FastAPI's default would commit after).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReaderDep = Annotated[Session, Depends(get_reader, scope="function")]


async def get_clock() -> Callable[[], datetime]:
    """What tells the time to the abuse limits and reset links (tests override it)."""
    return utcnow


async def get_now(clock: Annotated[Callable[[], datetime], Depends(get_clock)]) -> datetime:
    """The time of this request, from the clock."""
    return clock()


async def get_client_address(request: Request) -> str:
    """The caller's address, as the server (and its trusted proxies) reported it."""
    return request.client.host if request.client else "unknown"


Now = Annotated[datetime, Depends(get_now)]
ClientAddress = Annotated[str, Depends(get_client_address)]


async def get_token_claims(
    settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> TokenClaims:
    """What the request's bearer token says, or 401 if there is none or it is not valid."""
    if token is None:
        raise Unauthorized("Not authenticated")
    return read_access_token(token, secret=settings.secret_key)


TokenClaimsDep = Annotated[TokenClaims, Depends(get_token_claims)]


def get_current_user(session: SessionDep, claims: TokenClaimsDep) -> User:
    """The logged-in account, or 401 (also for a token revoked by logout or a new password)."""
    user = sessions.user_for_token(session=session, claims=claims)
    if user is None:
        raise Unauthorized("Could not validate credentials")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
_ENDED = "peermatch_session_ended"
Read = TypeVar("Read")


async def member_read(session: Session, claims: TokenClaims, read: Callable[[User], Read]) -> Read:
    """A member's read that every visit and every poll makes, in one hop to the thread pool:
    the token's account (as `CurrentUser` finds it), `read`, and the session's end, where a
    `CurrentUser` dependency, a plain `def` route and the session's end take three (under
    load each hop is a thread to wake and the interpreter lock to win again). `read` must
    build the whole answer: the session is closed when it returns."""

    def in_thread() -> Read:
        try:
            return read(get_current_user(session, claims))
        finally:
            _commit(session)
            session.info[_ENDED] = True

    return await run_in_threadpool(in_thread)


def get_coordinator(user: CurrentUser) -> User:
    """The logged-in account if it coordinates its organization, else 403."""
    if user.role != Role.coordinator:
        raise Forbidden("Only coordinators may do this")
    return user


CurrentCoordinator = Annotated[User, Depends(get_coordinator)]
