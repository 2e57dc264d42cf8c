"""Paging: the total is exact whether or not the count query runs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, create_engine, insert, select
from sqlalchemy.orm import Session

from services.core.pagination import Listing, paginate

metadata = MetaData()
rows = Table("rows", metadata, Column("id", Integer, primary_key=True))
engine = create_engine("sqlite://")
metadata.create_all(engine)


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=30),
    limit=st.integers(min_value=1, max_value=12),
    offset=st.integers(min_value=0, max_value=40),
)
def test_a_page_holds_its_slice_and_the_exact_total(count: int, limit: int, offset: int) -> None:
    with Session(engine) as session:
        session.execute(rows.delete())
        if count:
            session.execute(insert(rows), [{"id": k} for k in range(count)])
        page = paginate(
            session=session,
            statement=select(rows.c.id).order_by(rows.c.id),
            limit=limit,
            offset=offset,
        )
        assert page.items == list(range(count))[offset : offset + limit]
        assert page.total == count
        session.rollback()


# Built once, as the member's listing is: the statement's own value and the page are bound.
LISTING = Listing(select(rows.c.id).where(rows.c.id >= bindparam("least")).order_by(rows.c.id))


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=30),
    least=st.integers(min_value=0, max_value=10),
    limit=st.integers(min_value=1, max_value=12),
    offset=st.integers(min_value=0, max_value=40),
)
def test_a_listing_built_once_pages_as_paginate_does(
    count: int, least: int, limit: int, offset: int
) -> None:
    with Session(engine) as session:
        session.execute(rows.delete())
        if count:
            session.execute(insert(rows), [{"id": k} for k in range(count)])
        page = LISTING.page(session=session, params={"least": least}, limit=limit, offset=offset)
        matching = [k for k in range(count) if k >= least]
        assert page.items == matching[offset : offset + limit]
        assert page.total == len(matching)
        session.rollback()
