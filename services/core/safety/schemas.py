"""Request and response models for safety, consent and control."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.core.profiles.schemas import MentorSummary
from services.core.text import FREE_TEXT_RULES, NAME_RULES
from services.core.vocabulary import AccessKind, ReportCategory, ReportStatus

Words = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), FREE_TEXT_RULES]
Details = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), FREE_TEXT_RULES]


def _https(url: str) -> str:
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise ValueError("use a full https:// address")
    return url


class SupportResourceIn(BaseModel):
    """One line of support a coordinator wants their members to see."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=120), NAME_RULES]
    contact: Annotated[str, Field(min_length=1, max_length=200), NAME_RULES]
    url: Annotated[str, Field(max_length=500), NAME_RULES, AfterValidator(_https)]
    hours: Annotated[str, Field(min_length=1, max_length=120), NAME_RULES]


class SupportResourcesIn(BaseModel):
    """The whole list, replacing what was there (1 to 10)."""

    model_config = ConfigDict(extra="forbid")

    resources: list[SupportResourceIn] = Field(min_length=1, max_length=10)


class SupportResourcePublic(BaseModel):
    """A crisis or support line: who, how to reach them, where to read more, when."""

    name: str
    contact: str
    url: str
    hours: str


class SupportResources(BaseModel):
    """The organization's support resources."""

    resources: list[SupportResourcePublic]


class BlockIn(BaseModel):
    """Why you block (optional, seen by nobody but you and your coordinators)."""

    model_config = ConfigDict(extra="forbid")

    reason: Words | None = None


class BlockPublic(BaseModel):
    """Someone you blocked: only the alias you knew them by, and when."""

    id: uuid.UUID
    alias: str
    blocked_at: datetime


class BlockOutcome(BaseModel):
    """A block just made, with somewhere to turn."""

    id: uuid.UUID
    alias: str
    blocked_at: datetime
    introduction_status: str
    support_resources: list[SupportResourcePublic]


class ReportIn(BaseModel):
    """What you report about the other person; they are not told."""

    model_config = ConfigDict(extra="forbid")

    category: ReportCategory
    details: Details | None = None


class ReportFiled(BaseModel):
    """A report just filed."""

    id: uuid.UUID
    status: ReportStatus
    support_resources: list[SupportResourcePublic]


class ReportPublic(BaseModel):
    """A report as the organization's coordinators see it."""

    id: uuid.UUID
    introduction_id: uuid.UUID | None
    category: ReportCategory
    details: str | None
    status: ReportStatus
    reported_by: str  # the reporter's side in the introduction: mentee or mentor
    reported_alias: str
    created_at: datetime
    resolved_at: datetime | None
    resolution_note: str | None


class ResolveIn(BaseModel):
    """How a coordinator resolved a report."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
        FREE_TEXT_RULES,
    ]


class ExclusionIn(BaseModel):
    """Two people a coordinator keeps apart (same household, employer, treatment cohort...)."""

    model_config = ConfigDict(extra="forbid")

    mentee_profile_id: uuid.UUID
    mentor_profile_id: uuid.UUID
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), FREE_TEXT_RULES
    ]


class ExclusionPublic(BaseModel):
    """A coordinator's exclusion: the two people (by their current profiles) and why."""

    id: uuid.UUID
    mentee_profile_id: uuid.UUID | None
    mentor_profile_id: uuid.UUID | None
    mentee_alias: str
    mentor_alias: str
    reason: str
    created_at: datetime


class AccessLogEntryPublic(BaseModel):
    """A coordinator read something of yours."""

    at: datetime
    coordinator: str
    what: AccessKind
    description: str


class ErasureIn(BaseModel):
    """Your password, to confirm that you want everything deleted."""

    model_config = ConfigDict(extra="forbid")

    password: Annotated[str, Field(min_length=1, max_length=200)]


class Export(BaseModel):
    """Everything PeerMatch holds about you, in one document."""

    exported_at: datetime
    account: dict[str, Any]
    consent: dict[str, Any] | None = None
    profiles: list[dict[str, Any]]
    introductions: list[dict[str, Any]]
    answers_and_reasons: list[dict[str, Any]]
    blocks: list[dict[str, Any]]
    reports_filed: list[dict[str, Any]]
    access_log: list[AccessLogEntryPublic]


class MentorApplicant(MentorSummary):
    """A mentor as their organization's coordinators vet them: the person, not only the
    alias (reading this is recorded in the mentor's access log)."""

    display_name: str
    email: str


class VettingOutcome(MentorApplicant):
    """A vetting decision, with what still stands in the way of matching, in plain words."""

    warnings: list[str]
