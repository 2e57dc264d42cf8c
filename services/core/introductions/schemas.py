"""What participants and coordinators see of an introduction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from services.core.safety.schemas import SupportResourcePublic
from services.core.text import FREE_TEXT_RULES
from services.core.vocabulary import (
    ActorRole,
    Answer,
    DeclineReason,
    EndReason,
    IntroductionStatus,
    Pathway,
    ViewerRole,
)

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), FREE_TEXT_RULES]


class Card(BaseModel):
    """One side as the other sees them before contact is shared: no email, no exact place.

    A side whose account was erased reads "someone who has left", with nothing else."""

    profile_id: uuid.UUID | None
    alias: str
    pathways: list[Pathway]
    time_in_recovery: str
    languages: list[str]
    approximate_distance: str
    weekly_overlap: str
    interests: list[str]
    about: str


class Contact(BaseModel):
    """A participant's contact details, shared once the introduction is active."""

    display_name: str
    email: str


class Contacts(BaseModel):
    """Both sides' contact details."""

    mentee: Contact
    mentor: Contact


class IntroductionForCoordinator(BaseModel):
    """An introduction as the organization's coordinators see it: never contact details."""

    id: uuid.UUID
    status: IntroductionStatus
    mentee_response: Answer
    mentor_response: Answer
    score: float
    explanation: dict[str, Any]
    proposed_at: datetime
    expires_at: datetime
    mentee: Card
    mentor: Card
    your_role: ViewerRole
    # Shown to the organization's coordinators only; None for the participants.
    decline_reason: DeclineReason | None = None
    end_reason: EndReason | None = None


class IntroductionPublic(IntroductionForCoordinator):
    """An introduction as the contract describes it; `contact` only for the two people
    introduced, once it is active."""

    contact: Contacts | None


class IntroductionWithSupport(IntroductionPublic):
    """An introduction just declined or ended, with somewhere to turn."""

    support_resources: list[SupportResourcePublic]


class EventPublic(BaseModel):
    """One recorded transition."""

    at: datetime
    actor: ActorRole
    action: str
    from_status: IntroductionStatus | None
    to_status: IntroductionStatus
    note: str | None


class DeclineIn(BaseModel):
    """Why a participant declines (`other` when left out); coordinators see it."""

    model_config = ConfigDict(extra="forbid")

    reason_code: DeclineReason = DeclineReason.other
    reason: Note | None = None


class EndIn(BaseModel):
    """Why a participant ends a mentorship (`other` when left out); coordinators see it."""

    model_config = ConfigDict(extra="forbid")

    reason_code: EndReason = EndReason.other
    reason: Note | None = None


class NoteIn(BaseModel):
    """An optional note a coordinator adds."""

    model_config = ConfigDict(extra="forbid")

    note: Note | None = None


class ManualProposal(BaseModel):
    """A coordinator's own pairing."""

    model_config = ConfigDict(extra="forbid")

    mentee_profile_id: uuid.UUID
    mentor_profile_id: uuid.UUID


class Stats(BaseModel):
    """How matching is going in an organization."""

    introductions_by_status: dict[str, int]
    median_days_to_active: float | None
    acceptance_rate: float | None
    mentor_utilization: float | None
    waiting_mentees: int
    mentors_by_vetting_status: dict[str, int]
    decline_reasons: dict[str, int]
    end_reasons: dict[str, int]
