"""Each organization's active learned model, loaded once per worker process and again only
when the active version changes (one indexed lookup of its number per use)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core.models import ModelVersion
from services.matcher.learned import LearnedModel


class ActiveModels:
    """Per process: each organization's active model, loaded once and again only when the
    active version changes (one indexed lookup of its number per use)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[uuid.UUID, tuple[int, LearnedModel]] = {}

    def get(
        self, session: Session, organization_id: uuid.UUID
    ) -> tuple[int | None, LearnedModel | None]:
        """The active version's number and model, or (None, None) for the hand weights."""
        number = session.scalar(
            select(ModelVersion.number).where(
                ModelVersion.organization_id == organization_id, ModelVersion.active.is_(True)
            )
        )
        if number is None:
            return None, None
        with self._lock:
            cached = self._models.get(organization_id)
            if cached is not None and cached[0] == number:
                return cached
        params: Any = session.scalar(
            select(ModelVersion.params).where(
                ModelVersion.organization_id == organization_id, ModelVersion.number == number
            )
        )
        model = LearnedModel.from_dict(params)
        with self._lock:
            self._models[organization_id] = (number, model)
        return number, model


ACTIVE_MODELS = ActiveModels()
