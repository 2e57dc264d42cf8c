"""The dashboard's charts: SVG that escapes every label, carries a summary for screen
readers, writes each value as a number, and keeps its text readable on its colours; and the
per-period figures they draw, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from services.core.db import transaction
from services.core.introductions import trends
from services.core.models import Introduction, Organization
from services.web import charts
from tests.workflow.conftest import Cast

Headers = dict[str, str]
HOSTILE = '<script>alert("x")</script> & "quotes"'
SVG = "{http://www.w3.org/2000/svg}"


def _parsed(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(markup)


def _texts(markup: str) -> list[str]:
    """Each text's words, its lines joined by a space."""
    return [
        " ".join(part.strip() for part in element.itertext() if part.strip())
        for element in _parsed(markup).iter(f"{SVG}text")
    ]


def test_every_chart_escapes_its_labels_and_summary() -> None:
    drawn = [
        charts.stacked_bars(
            summary=HOSTILE,
            categories=[HOSTILE, "Dec 2026"],
            series=[charts.Series(HOSTILE, [1, 2]), charts.Series("Ended", [0, 3])],
        ),
        charts.bars(summary=HOSTILE, labels=[HOSTILE, "Distance"], values=[2, 0], unit=HOSTILE),
        charts.share(summary=HOSTILE, label=HOSTILE, value=0.5),
    ]
    for markup in drawn:
        assert "<script>" not in markup
        assert "&lt;script&gt;" in markup
        root = _parsed(markup)  # well-formed: the escaping kept the XML whole
        assert root.get("role") == "img"
        assert root.get("aria-label") == HOSTILE  # the summary, read back unescaped
        title = root.find(f"{SVG}title")
        assert title is not None and title.text == HOSTILE


def test_stacked_bars_label_each_segment_and_each_total() -> None:
    markup = charts.stacked_bars(
        summary="Introductions by month",
        categories=["Nov 2026", "Dec 2026"],
        series=[charts.Series("Active", [4, 6]), charts.Series("Declined", [2, 3])],
    )
    texts = _texts(markup)
    for value in ("4", "6", "2", "3"):
        assert value in texts  # each segment's value
    assert "9" in texts and "6" in texts  # the totals above the bars
    assert "1. Active" in texts and "2. Declined" in texts  # the legend, in stacking order
    assert "Nov 2026" in texts and "Dec 2026" in texts


def test_bars_and_shares_write_their_values() -> None:
    markup = charts.bars(summary="Declines", labels=["Schedule", "Distance"], values=[3, 0])
    texts = _texts(markup)
    assert texts == ["Schedule", "3", "Distance", "0"]
    assert "50%" in _texts(charts.share(summary="Rate", label="Both said yes", value=0.5))
    assert "not yet known" in _texts(charts.share(summary="Rate", label="Both", value=None))


def test_text_on_every_colour_has_enough_contrast() -> None:
    for colour in charts.PALETTE:
        assert charts.contrast(charts.text_colour(colour), colour) >= 4.5, colour
    assert round(charts.contrast("#000000", "#ffffff"), 1) == 21.0


def test_an_empty_chart_still_draws() -> None:
    markup = charts.stacked_bars(summary="Nothing yet", categories=["Dec 2026"], series=[])
    assert _parsed(markup).get("aria-label") == "Nothing yet"
    assert _texts(charts.bars(summary="None", labels=[], values=[])) == []


# The figures over time


def test_period_starts_and_recent_periods() -> None:
    thursday = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
    assert trends.period_start(thursday, "week") == date(2026, 11, 30)
    assert trends.period_start(thursday, "month") == date(2026, 12, 1)
    assert trends.recent_periods(period="month", count=3, now=thursday) == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    assert trends.recent_periods(period="week", count=2, now=thursday) == [
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]
    january = datetime(2026, 1, 15, tzinfo=UTC)
    assert trends.recent_periods(period="month", count=2, now=january)[0] == date(2025, 12, 1)


@pytest.fixture
def cast(
    client: TestClient,
    app: FastAPI,
    member: Callable[..., Headers],
    coordinator: Callable[..., Headers],
) -> Cast:
    """A coordinator of `demo` and helpers to add mentees and mentors."""
    return Cast(client=client, app=app, coordinator=coordinator("demo"), member=member)


def test_outcomes_and_medians_by_period(cast: Cast) -> None:
    mentor = cast.mentor(capacity=3)
    ids = []
    for alias in ("Ash", "Birch", "Cedar"):
        mentee = cast.mentee(alias=alias)
        [introduction_id] = cast.match(mentee)
        ids.append((mentee, introduction_id))
    (first, active_id), (second, declined_id), _open = ids
    cast.act(first.headers, active_id, "accept")
    cast.act(mentor.headers, active_id, "accept")
    cast.act(cast.coordinator, active_id, "approve")
    cast.act(second.headers, declined_id, "decline", {"reason_code": "distance"})
    now = datetime.now(UTC)
    last_month = trends.period_start(now, "month") - timedelta(days=3)
    with transaction(cast.app.state.session_factory) as session:
        # The declined one was proposed last month.
        session.execute(
            update(Introduction)
            .where(Introduction.id == uuid.UUID(declined_id))
            .values(proposed_at=datetime.combine(last_month, datetime.min.time(), tzinfo=UTC))
        )
    with transaction(cast.app.state.session_factory) as session:
        organization_id = session.query(Organization.id).filter_by(slug="demo").scalar()
        months = trends.outcomes_by_period(
            session=session, organization_id=organization_id, period="month", count=2, now=now
        )
        medians = trends.median_days_to_active_by_period(
            session=session, organization_id=organization_id, period="month", count=2, now=now
        )
        other = trends.outcomes_by_period(
            session=session, organization_id=uuid.uuid4(), period="month", count=2, now=now
        )
    earlier, current = months
    assert earlier.start == trends.period_start(last_month, "month")
    assert earlier.counts["declined"] == 1 and earlier.total == 1
    assert current.counts["active"] == 1 and current.counts["proposed"] == 1
    assert current.total == 2
    assert [m.introductions for m in medians] == [0, 1]
    assert medians[0].median_days is None and medians[1].median_days is not None
    assert medians[1].median_days < 1
    assert all(row.total == 0 for row in other)


def test_awaiting_approval_since(cast: Cast) -> None:
    mentee, mentor = cast.mentee(), cast.mentor()
    [introduction_id] = cast.match(mentee)
    with transaction(cast.app.state.session_factory) as session:
        assert (
            trends.awaiting_approval_since(
                session=session, introduction_ids=[uuid.UUID(introduction_id)]
            )
            == {}
        )
        assert trends.awaiting_approval_since(session=session, introduction_ids=[]) == {}
    cast.act(mentee.headers, introduction_id, "accept")
    cast.act(mentor.headers, introduction_id, "accept")
    with transaction(cast.app.state.session_factory) as session:
        since = trends.awaiting_approval_since(
            session=session, introduction_ids=[uuid.UUID(introduction_id)]
        )
    [(key, at)] = since.items()
    assert str(key) == introduction_id
    assert at.tzinfo is not None
    assert abs((datetime.now(UTC) - at).total_seconds()) < 60
    assert re.fullmatch(r"[0-9a-f-]{36}", introduction_id)
