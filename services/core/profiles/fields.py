"""Field types that profile bodies share: each one validates, and names, what it holds."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Annotated, TypeVar

from pydantic import AfterValidator, StringConstraints

from services.core.text import clean_name

T = TypeVar("T")


Clock = Annotated[str, StringConstraints(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")]


@lru_cache(maxsize=1)
def _language_codes() -> frozenset[str]:
    import pycountry

    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


@lru_cache(maxsize=1)
def timezones() -> frozenset[str]:
    """Every IANA timezone name this machine knows."""
    return frozenset(zoneinfo.available_timezones())


def _language(code: str) -> str:
    code = code.strip().lower()
    if code not in _language_codes():
        raise ValueError("use a two-letter ISO 639-1 language code, such as 'en' or 'es'")
    return code


def unique(items: list[T]) -> list[T]:
    """Refuses a list that names an item twice."""
    if len(set(items)) != len(items):
        raise ValueError("list items must be unique")
    return items


def _tag(tag: str) -> str:
    return " ".join(clean_name(tag).split()).lower()


Language = Annotated[str, AfterValidator(_language)]
Interest = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32), AfterValidator(_tag)
]


def minutes(clock: str) -> int:
    """Minutes since midnight for an 'HH:MM' clock time ('24:00' is the day's end)."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)
