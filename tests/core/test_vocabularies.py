"""The API and the engine speak one vocabulary: the engine keeps its own copy (it is a pure
library with no dependency on the API), so a word added on one side must reach the other."""

from __future__ import annotations

import typing

from services.core.profiles import schemas
from services.matcher import problem


def test_pathways_agree() -> None:
    assert set(problem.PATHWAYS) == {p.value for p in schemas.Pathway}


def test_genders_agree() -> None:
    assert set(problem.GENDERS) == {g.value for g in schemas.Gender}


def test_meeting_formats_agree() -> None:
    assert set(problem.MEETING_FORMATS) == {f.value for f in schemas.MeetingFormat}


def test_days_agree_in_order() -> None:
    assert problem.DAYS == schemas.DAYS == typing.get_args(schemas.Day)
