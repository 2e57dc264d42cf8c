"""What participants and coordinators see of an introduction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from services.core.vocabulary import ActorRole, Answer, IntroductionStatus, Pathway, ViewerRole

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class Card(BaseModel):
    """One side as the other sees them before contact is shared: no email, no exact place."""

    profile_id: uuid.UUID
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


class IntroductionPublic(BaseModel):
    """An introduction as the contract describes it."""

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
    contact: Contacts | None
    your_role: ViewerRole


class EventPublic(BaseModel):
    """One recorded transition."""

    at: datetime
    actor: ActorRole
    action: str
    from_status: IntroductionStatus | None
    to_status: IntroductionStatus
    note: str | None


class ReasonIn(BaseModel):
    """An optional reason a participant gives."""

    model_config = ConfigDict(extra="forbid")

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
