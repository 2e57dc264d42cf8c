"""Figures over time for the coordinators' dashboard: introductions per week or month by
where each one stands now, and the days from a mentee's profile to an active introduction
per period; and when each introduction in the approval queue began to wait.

Rows are grouped into periods in Python, not with the databases' date functions (which
differ between SQLite and PostgreSQL): only two columns per introduction are read.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.db import utcnow
from services.core.models import Introduction, IntroductionEvent, IntroductionStatus, Profile

Period = Literal["week", "month"]
PERIODS: tuple[Period, ...] = ("week", "month")


@dataclass(frozen=True)
class PeriodCounts:
    """How many introductions made in one period stand at each status now."""

    start: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All introductions made in the period."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class PeriodMedian:
    """The median days from profile to active introduction, for those approved in a period."""

    start: date
    median_days: float | None
    introductions: int


def period_start(moment: datetime | date, period: Period) -> date:
    """The first day of the week (Monday) or month that holds `moment` (in UTC)."""
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        day = aware.astimezone(UTC).date()
    else:
        day = moment
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def recent_periods(*, period: Period, count: int, now: datetime | None = None) -> list[date]:
    """The starts of the last `count` periods, oldest first, ending with the current one."""
    current = period_start(now or utcnow(), period)
    starts = [current]
    while len(starts) < count:
        earlier = starts[-1]
        if period == "week":
            starts.append(earlier - timedelta(days=7))
        else:
            starts.append((earlier - timedelta(days=1)).replace(day=1))
    return list(reversed(starts))


def _since(starts: list[date]) -> datetime:
    return datetime.combine(starts[0], time.min, tzinfo=UTC)


def outcomes_by_period(
    *,
    session: Session,
    organization_id: uuid.UUID,
    period: Period = "month",
    count: int = 12,
    now: datetime | None = None,
) -> list[PeriodCounts]:
    """Introductions made in each of the last `count` periods, counted by their status now."""
    starts = recent_periods(period=period, count=count, now=now)
    table = {start: {status.value: 0 for status in IntroductionStatus} for start in starts}
    rows = session.execute(
        select(Introduction.proposed_at, Introduction.status).where(
            Introduction.organization_id == organization_id,
            Introduction.proposed_at >= _since(starts),
        )
    )
    for proposed_at, status in rows:
        counts = table.get(period_start(proposed_at, period))
        if counts is not None:
            counts[str(status)] += 1
    return [PeriodCounts(start=start, counts=table[start]) for start in starts]


def median_days_to_active_by_period(
    *,
    session: Session,
    organization_id: uuid.UUID,
    period: Period = "month",
    count: int = 12,
    now: datetime | None = None,
) -> list[PeriodMedian]:
    """For introductions approved in each of the last `count` periods: the median days from
    the mentee's profile to the approval (None where none was approved)."""
    starts = recent_periods(period=period, count=count, now=now)
    days: dict[date, list[float]] = {start: [] for start in starts}
    rows = session.execute(
        select(Introduction.approved_at, Profile.created_at)
        .join(Profile, Profile.id == Introduction.mentee_profile_id)
        .where(
            Introduction.organization_id == organization_id,
            Introduction.approved_at.is_not(None),
            Introduction.approved_at >= _since(starts),
        )
    )
    for approved_at, created_at in rows:
        if approved_at is None:
            continue
        bucket = days.get(period_start(approved_at, period))
        if bucket is not None:
            bucket.append((approved_at - created_at).total_seconds() / 86400)
    return [
        PeriodMedian(
            start=start,
            median_days=round(statistics.median(days[start]), 1) if days[start] else None,
            introductions=len(days[start]),
        )
        for start in starts
    ]


def awaiting_approval_since(
    *, session: Session, introduction_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    """When each of these introductions last began to wait for a coordinator (both said
    yes), read in one query."""
    wanted = list(introduction_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(IntroductionEvent.introduction_id, func.max(IntroductionEvent.at))
        .where(
            IntroductionEvent.introduction_id.in_(wanted),
            IntroductionEvent.to_status == IntroductionStatus.awaiting_approval,
        )
        .group_by(IntroductionEvent.introduction_id)
    )
    return {
        introduction_id: at if at.tzinfo else at.replace(tzinfo=UTC)
        for introduction_id, at in rows
        if at is not None
    }
