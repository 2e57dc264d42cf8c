"""One way to page a listing: the rows asked for and how many there are in all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and the listing's total size."""

    items: list[T]
    total: int


def paginate(*, session: Session, statement: Select[T], limit: int, offset: int) -> Page[T]:
    """The page `limit`/`offset` picks from what `statement` selects, and how many it
    selects in all.

    A page that is not full tells the total by itself (most members' listings fit on one
    page), so the count query runs only when there may be more, or nothing was found past
    the start."""
    items = list(session.scalars(statement.limit(limit).offset(offset)))
    if len(items) < limit and (items or offset == 0):
        return Page(items=items, total=offset + len(items))
    counted = statement.order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    return Page(items=items, total=total)
