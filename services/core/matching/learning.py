"""Each organization's learned model: trained on its own outcomes, stored as numbered
versions, activated only when it beats the hand weights, and cached per worker process.

The training data are the organization's closed introductions that kept the raw features
they were proposed on (`Introduction.features`, numbers only, kept when a profile goes):
one became a mentorship if a coordinator approved it, and did not if it was declined,
expired or rejected; one ended before approval (a withdrawal, an erasure) says nothing.
The workers' cache of the active model is `active_models.py`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.core.errors import Conflict, NotFound
from services.core.models import Introduction, IntroductionStatus, ModelVersion, Organization
from services.core.outbox import enqueue
from services.core.task_names import MODEL_REFIT_TASK
from services.matcher import DEFAULT_WEIGHTS
from services.matcher.features import FEATURES

logger = logging.getLogger("peermatch.learning")
DID_NOT = (IntroductionStatus.declined, IntroductionStatus.expired, IntroductionStatus.rejected)


@dataclass(frozen=True)
class Minimum:
    """The least a refit learns from (settings `model_min_outcomes`, `model_min_each`)."""

    outcomes: int = 40
    each: int = 10


@dataclass(frozen=True)
class Outcomes:
    """An organization's training outcomes as columns."""

    raw: dict[str, np.ndarray]
    labels: np.ndarray  # 1: became a mentorship
    times: np.ndarray  # proposal time in seconds, for the split by time

    def __len__(self) -> int:
        return len(self.labels)


def training_outcomes(*, session: Session, organization_id: uuid.UUID) -> Outcomes:
    """The organization's closed introductions with features, as training columns."""
    rows = session.execute(
        select(Introduction.features, Introduction.approved_at, Introduction.proposed_at)
        .where(
            Introduction.organization_id == organization_id,
            Introduction.features.is_not(None),
            or_(Introduction.approved_at.is_not(None), Introduction.status.in_(DID_NOT)),
        )
        .order_by(Introduction.proposed_at, Introduction.id)
    ).all()
    kept = [
        (features, approved, proposed)
        for features, approved, proposed in rows
        if isinstance(features, dict) and all(name in features for name in FEATURES)
    ]
    raw = {
        name: np.array([float(f[name]) for f, _, _ in kept], dtype=np.float64) for name in FEATURES
    }
    labels = np.array([approved is not None for _, approved, _ in kept], dtype=np.int64)
    times = np.array([p.timestamp() for _, _, p in kept], dtype=np.float64)
    return Outcomes(raw, labels, times)


@dataclass(frozen=True)
class Refit:
    """What a refit did: the version it stored (None if none) and why."""

    version: ModelVersion | None
    activated: bool
    reason: str


def _too_few(outcomes: Outcomes, minimum: Minimum) -> str | None:
    """Why these outcomes are too few to learn from, or None (as `fitting.check_size`)."""
    positive = int(outcomes.labels.sum())
    negative = len(outcomes) - positive
    if len(outcomes) >= minimum.outcomes and min(positive, negative) >= minimum.each:
        return None
    return (
        f"needs at least {minimum.outcomes} outcomes, with at least {minimum.each} that "
        f"became active and {minimum.each} that did not; there are {len(outcomes)} "
        f"({positive} became active, {negative} did not)"
    )


def enough_outcomes(*, session: Session, organization_id: uuid.UUID, minimum: Minimum) -> int:
    """How many outcomes there are to learn from; Conflict (saying how many are needed)
    when too few."""
    outcomes = training_outcomes(session=session, organization_id=organization_id)
    reason = _too_few(outcomes, minimum)
    if reason is not None:
        raise Conflict(f"Not enough outcomes to learn from yet: {reason}")
    return len(outcomes)


def queue_refit(*, session: Session, organization_id: uuid.UUID) -> None:
    """Queue a refit of the organization's model (sent once this transaction commits)."""
    enqueue(session=session, task=MODEL_REFIT_TASK, organization_id=str(organization_id))


def queue_all_refits(*, session: Session, minimum: Minimum) -> int:
    """Queue a refit for every organization with enough outcomes; how many were queued."""
    queued = 0
    for organization_id in session.scalars(select(Organization.id).order_by(Organization.id)):
        if outcome_count(session=session, organization_id=organization_id) >= minimum.outcomes:
            queue_refit(session=session, organization_id=organization_id)
            queued += 1
    return queued


def refit(*, session: Session, organization_id: uuid.UUID, minimum: Minimum) -> Refit:
    """Fit a new version on the organization's outcomes; activate it if it beats the hand
    weights on the held-out outcomes. Too few, or nothing new to learn from, stores nothing."""
    # scikit-learn takes over a second to import: only a worker that fits pays for it.
    from services.matcher.fitting import fit_outcomes

    outcomes = training_outcomes(session=session, organization_id=organization_id)
    reason = _too_few(outcomes, minimum)
    if reason is not None:
        return Refit(None, False, reason)
    latest = session.scalars(
        select(ModelVersion)
        .where(ModelVersion.organization_id == organization_id)
        .order_by(ModelVersion.number.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.training_size == len(outcomes):
        # A redelivered task, or a weekly refit with nothing new: the same model again.
        return Refit(None, False, f"no new outcomes since version {latest.number}")
    fit = fit_outcomes(
        outcomes.raw,
        outcomes.labels,
        outcomes.times,
        weights=DEFAULT_WEIGHTS,
        min_outcomes=minimum.outcomes,
        min_each=minimum.each,
    )
    version = ModelVersion(
        organization_id=organization_id,
        number=(latest.number if latest else 0) + 1,
        kind=fit.model.kind,
        params=fit.model.as_dict(),
        figures=fit.figures,
        features=list(fit.model.features),
        training_size=len(outcomes),
        active=False,
    )
    try:
        with session.begin_nested():  # two refits at once: the second finds its number taken
            session.add(version)
    except IntegrityError:
        return Refit(None, False, "another refit stored this version first")
    if fit.beats_hand:
        activate(session=session, organization_id=organization_id, number=version.number)
    logger.info(
        "organization %s: model version %d on %d outcomes, %s",
        organization_id,
        version.number,
        len(outcomes),
        "activated" if fit.beats_hand else "kept inactive (does not beat the hand weights)",
    )
    return Refit(version, fit.beats_hand, "activated" if fit.beats_hand else "not better")


def activate(*, session: Session, organization_id: uuid.UUID, number: int | None) -> None:
    """Make version `number` the one the engine uses, or the hand weights (None)."""
    # Lock the organization's versions first, so that two activations at once queue up
    # instead of both finding none active and breaking the one-active rule.
    session.scalars(
        select(ModelVersion.id)
        .where(ModelVersion.organization_id == organization_id)
        .with_for_update()
    ).all()
    chosen = None
    if number is not None:
        chosen = session.scalars(
            select(ModelVersion).where(
                ModelVersion.organization_id == organization_id, ModelVersion.number == number
            )
        ).first()
        if chosen is None:
            raise NotFound(f"No model version {number} in your organization")
    session.execute(
        update(ModelVersion)
        .where(ModelVersion.organization_id == organization_id, ModelVersion.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()  # the old one is inactive before the new one is (one active, enforced)
    if chosen is not None:
        chosen.active = True
        session.flush()


def versions(*, session: Session, organization_id: uuid.UUID) -> list[ModelVersion]:
    """The organization's versions, newest first."""
    return list(
        session.scalars(
            select(ModelVersion)
            .where(ModelVersion.organization_id == organization_id)
            .order_by(ModelVersion.number.desc())
        )
    )


def active_version(*, session: Session, organization_id: uuid.UUID) -> ModelVersion | None:
    """The version the engine uses, or None for the hand weights."""
    return session.scalars(
        select(ModelVersion).where(
            ModelVersion.organization_id == organization_id, ModelVersion.active.is_(True)
        )
    ).first()


def outcome_count(*, session: Session, organization_id: uuid.UUID) -> int:
    """How many closed introductions with features the organization has to learn from."""
    return int(
        session.scalar(
            select(func.count()).where(
                Introduction.organization_id == organization_id,
                Introduction.features.is_not(None),
                or_(Introduction.approved_at.is_not(None), Introduction.status.in_(DID_NOT)),
            )
        )
        or 0
    )
