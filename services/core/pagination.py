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
    """Counts what `statement` selects, then returns the page `limit`/`offset` picks."""
    counted = statement.order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    items = list(session.scalars(statement.limit(limit).offset(offset)))
    return Page(items=items, total=total)
