"""Every word with a fixed set of values, in one place: the API, the tables and the views all
read it from here (the engine keeps its own copy; `tests/core/test_vocabularies.py` checks
that the two agree)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    """What an account may do in its organization."""

    member = "member"
    coordinator = "coordinator"


class ProfileRole(StrEnum):
    """Which side of a mentorship a profile is for."""

    mentee = "mentee"
    mentor = "mentor"


class VettingStatus(StrEnum):
    """A coordinator's decision on a volunteer mentor."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Gender(StrEnum):
    woman = "woman"
    man = "man"
    nonbinary = "nonbinary"
    prefer_not_to_say = "prefer_not_to_say"


class Pathway(StrEnum):
    aa = "aa"
    na = "na"
    smart = "smart"
    celebrate_recovery = "celebrate_recovery"
    refuge_recovery = "refuge_recovery"
    sos = "sos"
    other = "other"


class MeetingFormat(StrEnum):
    in_person = "in_person"
    online = "online"
    either = "either"


Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class IntroductionStatus(StrEnum):
    """Where an introduction is in its life; see the contract's state diagram."""

    proposed = "proposed"
    awaiting_approval = "awaiting_approval"
    active = "active"
    declined = "declined"
    rejected = "rejected"
    expired = "expired"
    ended = "ended"


# A mentee holds at most one of these; a mentor's count against capacity.
OPEN_STATUSES = (IntroductionStatus.proposed, IntroductionStatus.awaiting_approval)
HOLDING_STATUSES = (*OPEN_STATUSES, IntroductionStatus.active)


class Answer(StrEnum):
    """One side's answer to a proposal."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class ActorRole(StrEnum):
    """Who took a step in an introduction's life; `system` is the engine or the clock."""

    mentee = "mentee"
    mentor = "mentor"
    coordinator = "coordinator"
    system = "system"


# The three ways a person can look at an introduction.
ViewerRole = Literal["mentee", "mentor", "coordinator"]


class IntroductionSource(StrEnum):
    """What proposed an introduction."""

    batch = "batch"
    incremental = "incremental"
    manual = "manual"
    reconcile = "reconcile"


class MatchingRunStatus(StrEnum):
    """Where a coordinator's batch matching run is."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class DeclineReason(StrEnum):
    """Why a participant declined a proposal (coordinators see it; the other side doesn't)."""

    schedule = "schedule"
    distance = "distance"
    not_a_fit = "not_a_fit"
    personal = "personal"
    other = "other"


class EndReason(StrEnum):
    """Why a participant ended a mentorship (coordinators see it; the other side doesn't)."""

    goals_met = "goals_met"
    schedule = "schedule"
    lost_contact = "lost_contact"
    not_a_fit = "not_a_fit"
    moved = "moved"
    safety = "safety"
    other = "other"


class ExclusionReason(StrEnum):
    """Why two people must never be proposed to each other again."""

    declined = "declined"
    rejected = "rejected"
    ended = "ended"
    expired = "expired"
    blocked = "blocked"
    coordinator = "coordinator"


class ReportCategory(StrEnum):
    """What a participant reports about the other side of an introduction."""

    harassment = "harassment"
    safety = "safety"
    inappropriate = "inappropriate"
    spam = "spam"
    other = "other"


class ReportStatus(StrEnum):
    """Where a report is in a coordinator's queue."""

    open = "open"
    resolved = "resolved"


class AccessKind(StrEnum):
    """What a coordinator read about a member (the member's access log says so)."""

    profile = "profile"
    introduction = "introduction"
    contact = "contact"
    report = "report"
