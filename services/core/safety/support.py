"""Where to turn in a crisis: each organization's support resources, with defaults."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.core.errors import NotFound
from services.core.models import Organization, User
from services.core.models.safety import SupportResource
from services.core.safety.schemas import SupportResourcePublic, SupportResourcesIn

DEFAULT_RESOURCES = (
    SupportResourcePublic(
        name="988 Suicide & Crisis Lifeline",
        contact="Call or text 988",
        url="https://988lifeline.org",
        hours="24/7",
    ),
    SupportResourcePublic(
        name="SAMHSA National Helpline",
        contact="Call 1-800-662-4357 (free and confidential)",
        url="https://www.samhsa.gov/find-help/national-helpline",
        hours="24/7, every day of the year",
    ),
)


def for_organization(
    *, session: Session, organization_id: uuid.UUID
) -> list[SupportResourcePublic]:
    """The organization's support resources, or the defaults when it has set none."""
    rows = session.scalars(
        select(SupportResource)
        .where(SupportResource.organization_id == organization_id)
        .order_by(SupportResource.position)
    ).all()
    if not rows:
        return list(DEFAULT_RESOURCES)
    return [
        SupportResourcePublic(name=r.name, contact=r.contact, url=r.url, hours=r.hours)
        for r in rows
    ]


def for_slug(
    *, session: Session, slug: str | None, default_organization: str
) -> list[SupportResourcePublic]:
    """Support resources by organization slug (the default one when None); 404 if unknown."""
    wanted = slug or default_organization
    organization_id = session.scalar(select(Organization.id).where(Organization.slug == wanted))
    if organization_id is None:
        if wanted == default_organization:
            return list(DEFAULT_RESOURCES)  # it comes into being with its first member
        raise NotFound("There is no organization by that name")
    return for_organization(session=session, organization_id=organization_id)


def replace(
    *, session: Session, coordinator: User, body: SupportResourcesIn
) -> list[SupportResourcePublic]:
    """Replace the coordinator's organization's support resources with this list."""
    organization_id = coordinator.organization_id
    session.execute(
        delete(SupportResource).where(SupportResource.organization_id == organization_id)
    )
    session.add_all(
        SupportResource(
            organization_id=organization_id,
            position=position,
            name=item.name,
            contact=item.contact,
            url=item.url,
            hours=item.hours,
        )
        for position, item in enumerate(body.resources)
    )
    session.flush()
    return for_organization(session=session, organization_id=organization_id)
