"""What coordinators see of their organization's learned model, and what they send."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ModelVersionPublic(BaseModel):
    """One fitted version: its held-out figures beside the hand weights', and whether the
    engine uses it."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    kind: str
    active: bool
    figures: dict[str, Any]
    features: list[str]
    training_size: int
    created_at: datetime


class ModelPublic(BaseModel):
    """What scores the organization's proposals now: the hand weights, or a learned version
    with each feature's weight (its coefficient per standard deviation) and its figures."""

    source: Literal["hand", "learned"]
    version: int | None
    weights: dict[str, float]
    figures: dict[str, Any] | None
    training_size: int | None
    outcomes_available: int = Field(description="closed introductions to learn from")
    outcomes_needed: int = Field(description="the least a refit needs")


class ModelActivation(BaseModel):
    """Which version the engine uses: a version number, or null for the hand weights."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(ge=1, le=2_147_483_647)  # an INTEGER column holds it


class RefitQueued(BaseModel):
    """A refit was queued; it is activated only if it beats the hand weights."""

    queued: bool
    outcomes_available: int
