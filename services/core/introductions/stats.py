"""An organization's figures for its coordinators: counts by status, time to an active
introduction, acceptance, mentor utilization, waiting mentees, vetting, and why
introductions were declined or ended."""

from __future__ import annotations

import statistics
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.core.introductions.schemas import Stats
from services.core.matching.eligibility import waiting_count
from services.core.models import (
    Introduction,
    IntroductionStatus,
    Profile,
    ProfileRole,
    VettingStatus,
)
from services.core.vocabulary import DeclineReason, EndReason


def stats(*, session: Session, organization_id: uuid.UUID) -> Stats:
    """Counts and rates for an organization's coordinators."""
    in_org = Introduction.organization_id == organization_id
    by_status = dict(
        session.execute(
            select(Introduction.status, func.count()).where(in_org).group_by(Introduction.status)
        ).all()
    )
    counts = {status.value: int(by_status.get(status, 0)) for status in IntroductionStatus}
    reached_active = session.execute(
        select(Introduction.approved_at, Profile.created_at)
        .join(Profile, Profile.id == Introduction.mentee_profile_id)
        .where(in_org, Introduction.approved_at.is_not(None))
    ).all()
    days = [
        (approved - created).total_seconds() / 86400
        for approved, created in reached_active
        if approved is not None
    ]
    both_accepted = sum(counts[s] for s in ("awaiting_approval", "active", "rejected", "ended"))
    answered = both_accepted + counts["declined"]
    mentors = session.execute(
        select(Profile.vetting_status, func.count(), func.sum(Profile.capacity))
        .where(Profile.organization_id == organization_id, Profile.role == ProfileRole.mentor)
        .group_by(Profile.vetting_status)
    ).all()
    vetting = {status.value: 0 for status in VettingStatus}
    capacity = 0
    for status, count, places in mentors:
        vetting[str(status)] = int(count)
        if status == VettingStatus.approved:
            capacity = int(places or 0)
    reasons = session.execute(
        select(Introduction.decline_reason, Introduction.end_reason, func.count())
        .where(
            in_org,
            Introduction.decline_reason.is_not(None) | Introduction.end_reason.is_not(None),
        )
        .group_by(Introduction.decline_reason, Introduction.end_reason)
    ).all()
    declines = {reason.value: 0 for reason in DeclineReason}
    ends = {reason.value: 0 for reason in EndReason}
    for decline_reason, end_reason, count in reasons:
        if decline_reason is not None:
            declines[str(decline_reason)] += int(count)
        if end_reason is not None:
            ends[str(end_reason)] += int(count)
    return Stats(
        introductions_by_status=counts,
        median_days_to_active=round(statistics.median(days), 2) if days else None,
        acceptance_rate=round(both_accepted / answered, 4) if answered else None,
        mentor_utilization=round(counts["active"] / capacity, 4) if capacity else None,
        waiting_mentees=waiting_count(session=session, organization_id=organization_id),
        mentors_by_vetting_status=vetting,
        decline_reasons=declines,
        end_reasons=ends,
    )
