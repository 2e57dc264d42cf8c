"""What each viewer sees of an introduction: the two cards, contact once active (to the two
people only), listings a page at a time, and a coordinator's event log."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import Session, joinedload

from services.core.introductions.schemas import (
    Card,
    Contact,
    Contacts,
    EventPublic,
    IntroductionPublic,
    IntroductionWithSupport,
)
from services.core.introductions.transitions import (
    Viewing,
    require_coordinator,
    role_in,
    view,
)
from services.core.models import (
    Introduction,
    IntroductionEvent,
    IntroductionStatus,
    Profile,
    User,
)
from services.core.pagination import Listing, Page
from services.core.profiles.views import recovery_band
from services.core.safety import support
from services.core.safety.access import record_reads
from services.core.vocabulary import AccessKind

SOMEONE_WHO_LEFT = "someone who has left"


def _distance_text(distance_km: float | None) -> str:
    if distance_km is None:
        return "online"
    return "under 2 km" if distance_km < 2 else f"about {int(distance_km)} km"


def _overlap_text(minutes: int) -> str:
    hours = minutes / 60
    return f"{hours:g} hours a week in common" if hours != 1 else "1 hour a week in common"


def _card(profile: Profile | None, introduction: Introduction) -> Card:
    if profile is None:  # that side's account was erased
        return Card(
            profile_id=None,
            alias=SOMEONE_WHO_LEFT,
            pathways=[],
            time_in_recovery="not given",
            languages=[],
            approximate_distance="not given",
            weekly_overlap="not given",
            interests=[],
            about="",
        )
    return Card(
        profile_id=profile.id,
        alias=profile.alias,
        pathways=profile.pathways,
        time_in_recovery=recovery_band(profile.recovery_date),
        languages=profile.languages,
        approximate_distance=_distance_text(introduction.distance_km),
        weekly_overlap=_overlap_text(introduction.overlap_minutes),
        interests=profile.interests,
        about=profile.about,
    )


def _shows_contact(viewing: Viewing) -> bool:
    participant = viewing.role in ("mentee", "mentor")
    introduction = viewing.introduction
    both_here = introduction.mentee_profile is not None and introduction.mentor_profile is not None
    return participant and both_here and introduction.status == IntroductionStatus.active


def contacts(*, session: Session, viewings: Iterable[Viewing]) -> dict[uuid.UUID, Contact]:
    """The contact details these viewings may show, by account, read in one query (or none)."""
    wanted = {
        profile.user_id
        for viewing in viewings
        if _shows_contact(viewing)
        for profile in (viewing.introduction.mentee_profile, viewing.introduction.mentor_profile)
        if profile is not None
    }
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, User.email).where(User.id.in_(wanted))
    )
    return {user_id: Contact(display_name=name, email=email) for user_id, name, email in rows}


def to_public(
    *, session: Session, viewing: Viewing, people: Mapping[uuid.UUID, Contact] | None = None
) -> IntroductionPublic:
    """An introduction as the caller may see it; contact only for participants, once active."""
    introduction = viewing.introduction
    mentee, mentor = introduction.mentee_profile, introduction.mentor_profile
    contact = None
    if _shows_contact(viewing) and mentee is not None and mentor is not None:
        people = people if people is not None else contacts(session=session, viewings=[viewing])
        contact = Contacts(mentee=people[mentee.user_id], mentor=people[mentor.user_id])
    coordinating = viewing.role == "coordinator"
    return IntroductionPublic(
        id=introduction.id,
        status=introduction.status,
        mentee_response=introduction.mentee_response,
        mentor_response=introduction.mentor_response,
        score=round(introduction.score, 4),
        explanation=introduction.explanation,
        proposed_at=introduction.proposed_at,
        expires_at=introduction.expires_at,
        mentee=_card(mentee, introduction),
        mentor=_card(mentor, introduction),
        contact=contact,
        your_role=viewing.role,
        decline_reason=introduction.decline_reason if coordinating else None,
        end_reason=introduction.end_reason if coordinating else None,
    )


def with_support(*, session: Session, viewing: Viewing) -> IntroductionWithSupport:
    """`to_public` with the organization's support resources (after a decline or an end)."""
    public = to_public(session=session, viewing=viewing)
    resources = support.for_organization(
        session=session, organization_id=viewing.introduction.organization_id
    )
    return IntroductionWithSupport(**public.model_dump(), support_resources=resources)


def participant_ids(viewings: Iterable[Viewing]) -> set[uuid.UUID]:
    """The accounts taking part in these introductions (erased sides left out)."""
    return {
        profile.user_id
        for viewing in viewings
        for profile in (viewing.introduction.mentee_profile, viewing.introduction.mentor_profile)
        if profile is not None
    }


def record_coordinator_reads(*, session: Session, user: User, viewings: Iterable[Viewing]) -> None:
    """Log, in each participant's access log, a coordinator's read of these introductions."""
    read = [v for v in viewings if v.role == "coordinator"]
    if read:
        record_reads(
            session=session,
            coordinator=user,
            what=AccessKind.introduction,
            member_ids=participant_ids(read),
        )


def shown(*, session: Session, user: User, viewing: Viewing) -> IntroductionPublic:
    """`to_public` for one introduction, logged in the access log when a coordinator reads."""
    record_coordinator_reads(session=session, user=user, viewings=[viewing])
    return to_public(session=session, viewing=viewing)


def presenter(
    *, session: Session, viewings: Iterable[Viewing]
) -> Callable[[Viewing], IntroductionPublic]:
    """`to_public` for a page of viewings, with the contacts they show read once for all."""
    people = contacts(session=session, viewings=viewings)
    return lambda viewing: to_public(session=session, viewing=viewing, people=people)


def _listing(*where: ColumnElement[bool]) -> Listing[Introduction]:
    return Listing(
        select(Introduction)
        .where(*where)
        # Both profiles joined in (each is many-to-one, so still one row per introduction):
        # one query where `WITH_PROFILES`' select-in loads make three.
        .options(joinedload(Introduction.mentee_profile), joinedload(Introduction.mentor_profile))
        .order_by(Introduction.proposed_at.desc(), Introduction.id)
    )


_OWN = select(Profile.id).where(Profile.user_id == bindparam("user_id"))
_MEMBERS = Introduction.mentee_profile_id.in_(_OWN) | Introduction.mentor_profile_id.in_(_OWN)
_ORGANIZATIONS = Introduction.organization_id == bindparam("organization_id")
_OF_STATUS = Introduction.status == bindparam("status")
# Built once: every member's own listing is asked at every visit (and polled while waiting).
_MEMBER_LISTING = _listing(_MEMBERS)
_MEMBER_LISTING_OF_STATUS = _listing(_MEMBERS, _OF_STATUS)
_ORGANIZATION_LISTING = _listing(_ORGANIZATIONS)
_ORGANIZATION_LISTING_OF_STATUS = _listing(_ORGANIZATIONS, _OF_STATUS)


def list_for_member(
    *, session: Session, user: User, status: IntroductionStatus | None, limit: int, offset: int
) -> Page[Viewing]:
    """The member's own introductions, as mentee and as mentor, newest first."""
    listing = _MEMBER_LISTING if status is None else _MEMBER_LISTING_OF_STATUS
    params = {"user_id": user.id} if status is None else {"user_id": user.id, "status": status}
    rows = listing.page(session=session, params=params, limit=limit, offset=offset)
    return _viewings(user, rows)


def list_for_coordinator(
    *, session: Session, user: User, status: IntroductionStatus | None, limit: int, offset: int
) -> Page[Viewing]:
    """The organization's introductions (the approval queue with `awaiting_approval`)."""
    listing = _ORGANIZATION_LISTING if status is None else _ORGANIZATION_LISTING_OF_STATUS
    params: dict[str, object] = {"organization_id": user.organization_id}
    if status is not None:
        params["status"] = status
    rows = listing.page(session=session, params=params, limit=limit, offset=offset)
    page = _viewings(user, rows)
    record_coordinator_reads(session=session, user=user, viewings=page.items)
    return page


def _viewings(user: User, rows: Page[Introduction]) -> Page[Viewing]:
    viewings = [Viewing(row, role_in(user, row) or "coordinator") for row in rows.items]
    return Page(items=viewings, total=rows.total)


def events(*, session: Session, user: User, introduction_id: uuid.UUID) -> list[EventPublic]:
    """The recorded transitions, oldest first (coordinators of the organization only)."""
    viewing = view(session=session, user=user, introduction_id=introduction_id)
    require_coordinator(viewing)
    record_coordinator_reads(session=session, user=user, viewings=[viewing])
    rows = session.scalars(
        select(IntroductionEvent)
        .where(IntroductionEvent.introduction_id == introduction_id)
        .order_by(IntroductionEvent.at, IntroductionEvent.id)
    )
    return [
        EventPublic(
            at=row.at,
            actor=row.actor_role,
            action=row.action,
            from_status=row.from_status,
            to_status=row.to_status,
            note=row.note,
        )
        for row in rows
    ]
