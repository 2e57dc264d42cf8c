"""The access log: every time a coordinator reads a member's profile, introduction or
contact details, one row the member can read (`GET /me/access-log`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.models import User
from services.core.models.safety import AccessLogEntry
from services.core.pagination import Page, paginate
from services.core.vocabulary import AccessKind


def record_reads(
    *,
    session: Session,
    coordinator: User,
    what: AccessKind,
    member_ids: Iterable[uuid.UUID | None],
) -> None:
    """Log that `coordinator` read these members' `what`: one insert for the whole page."""
    members = {m for m in member_ids if m is not None and m != coordinator.id}
    if not members:
        return
    now = utcnow()
    session.execute(
        insert(AccessLogEntry),
        [
            {
                "id": uuid.uuid4(),
                "member_user_id": member,
                "coordinator_user_id": coordinator.id,
                "what": what,
                "at": now,
            }
            for member in sorted(members)
        ],
    )


def list_for_member(
    *, session: Session, user: User, limit: int, offset: int
) -> Page[AccessLogEntry]:
    """The caller's access log, newest first."""
    statement = (
        select(AccessLogEntry)
        .where(AccessLogEntry.member_user_id == user.id)
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id)
    )
    return paginate(session=session, statement=statement, limit=limit, offset=offset)


def coordinator_names(
    *, session: Session, entries: Sequence[AccessLogEntry]
) -> dict[uuid.UUID, str]:
    """The display names of the coordinators in these entries, in one query (or none)."""
    ids = {e.coordinator_user_id for e in entries if e.coordinator_user_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def prune(*, session: Session, now: datetime, retention_days: int) -> int:
    """Delete access-log entries older than `retention_days`; returns how many went."""
    cutoff = now - timedelta(days=retention_days)
    result = session.execute(delete(AccessLogEntry).where(AccessLogEntry.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
