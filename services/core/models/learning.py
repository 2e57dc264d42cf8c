"""The learned models of an organization: numbered versions, at most one of them active."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column

from services.core.db import Base, UTCDateTime, utcnow


class ModelVersion(Base):
    """One fitted model (`services.matcher.learned`), its held-out figures and whether it is
    the one the engine uses; an organization with no active version uses the hand weights."""

    __tablename__ = "model_versions"
    __table_args__ = (
        Unique("organization_id", "number", name="uq_model_versions_organization_id_number"),
        # The database itself keeps one active version per organization.
        Index(
            "uq_model_versions_active_organization",
            "organization_id",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the organization
    kind: Mapped[str] = mapped_column(String(20))  # "logistic"
    params: Mapped[dict[str, Any]] = mapped_column(JSON)  # `LearnedModel.as_dict()`
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)  # held-out, beside the hand weights'
    features: Mapped[list[str]] = mapped_column(JSON)
    training_size: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
