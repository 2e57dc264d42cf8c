"""One way to page a listing: the rows asked for and how many there are in all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam, func, select
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
    if _tells_total(items, limit, offset):
        return Page(items=items, total=offset + len(items))
    total = session.scalar(_counting(statement)) or 0
    return Page(items=items, total=total)


def _tells_total(items: list[Any], limit: int, offset: int) -> bool:
    return len(items) < limit and (bool(items) or offset == 0)


def _counting(statement: Select[Any]) -> Select[int]:
    return select(func.count()).select_from(statement.order_by(None).subquery())


class Listing(Generic[T]):
    """A listing asked on every request, its statements built once: the page takes its
    limit and offset, and the statement its own values, as bound parameters.

    Building a statement and its cache key cost about as much as running it on SQLite; a
    statement built once keeps its cache key, so a request pays only for running it. Paged
    the same way as `paginate`."""

    def __init__(self, statement: Select[T]) -> None:
        self._page = statement.limit(bindparam("page_limit")).offset(bindparam("page_offset"))
        self._count = _counting(statement)

    def page(
        self, *, session: Session, params: Mapping[str, Any], limit: int, offset: int
    ) -> Page[T]:
        """The page `limit`/`offset` picks, the statement's parameters bound to `params`."""
        paged = {**params, "page_limit": limit, "page_offset": offset}
        items = list(session.scalars(self._page, paged))
        if _tells_total(items, limit, offset):
            return Page(items=items, total=offset + len(items))
        total = session.scalar(self._count, dict(params)) or 0
        return Page(items=items, total=total)
