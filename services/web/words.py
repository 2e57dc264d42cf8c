"""Plain words for what the pages show: dates, waits, statuses and explanations, never raw
scores or codes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

STATUS_WORDS = {
    "proposed": "Waiting for both of you to answer",
    "awaiting_approval": "Both said yes; a coordinator is looking at it",
    "active": "Active: you can contact each other",
    "declined": "Declined",
    "rejected": "Not approved by a coordinator",
    "expired": "Expired without an answer",
    "ended": "Ended",
}
COMPONENT_WORDS = {
    "pathway": "Recovery pathway",
    "recovery_time": "Time in recovery",
    "schedule": "Times you are both free",
    "distance": "Distance",
    "language": "Languages",
    "interests": "Interests",
    "about": "What you each wrote",
}
PATHWAY_WORDS = {
    "aa": "AA",
    "na": "NA",
    "smart": "SMART Recovery",
    "celebrate_recovery": "Celebrate Recovery",
    "refuge_recovery": "Refuge Recovery",
    "sos": "SOS",
    "other": "Another pathway",
}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day(moment: datetime | None) -> str:
    """A date as people write it: 3 December 2026."""
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y}"


def since(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in whole days: today, yesterday, 5 days, 3 weeks."""
    if moment is None:
        return ""
    days = ((now or datetime.now(UTC)) - _aware(moment)).days
    if days <= 0:
        return "today"
    if days == 1:
        return "1 day"
    if days < 21:
        return f"{days} days"
    if days < 90:
        return f"{days // 7} weeks"
    return f"{days // 30} months"


def until(moment: datetime | None, now: datetime | None = None) -> str:
    """How long is left: 'within a day', '3 days'."""
    if moment is None:
        return ""
    seconds = (_aware(moment) - (now or datetime.now(UTC))).total_seconds()
    if seconds <= 0:
        return "no time"
    days = int(seconds // 86400)
    return "less than a day" if days == 0 else ("1 day" if days == 1 else f"{days} days")


def status_words(status: object) -> str:
    """An introduction's status in words."""
    code = str(getattr(status, "value", status))
    return STATUS_WORDS.get(code, code.replace("_", " "))


def pathway_words(pathway: object) -> str:
    """A pathway's name as its fellowship writes it."""
    code = str(getattr(pathway, "value", pathway))
    return PATHWAY_WORDS.get(code, code.replace("_", " ").title())


def strength(score: float) -> str:
    """How well one part fits, in a word (no numbers: they invite over-reading)."""
    if score >= 0.75:
        return "strong"
    if score >= 0.4:
        return "good"
    return "weaker"


@lru_cache(maxsize=256)
def language_words(code: str) -> str:
    """A language's English name from its ISO 639 code: 'es' reads 'Spanish'."""
    import pycountry

    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    found = found or pycountry.languages.get(alpha_3=code)
    return str(found.name) if found is not None else code


def reasons(explanation: Mapping[str, Any]) -> list[dict[str, str]]:
    """An explanation as sentences, strongest first: what each part of the fit rests on."""
    parts = []
    for name, part in explanation.items():
        if name not in COMPONENT_WORDS or not isinstance(part, Mapping):
            continue
        score = float(part.get("score", 0.0))
        parts.append(
            (
                -score,
                {
                    "topic": COMPONENT_WORDS[name],
                    "detail": str(part.get("detail", "")),
                    "strength": strength(score),
                },
            )
        )
    return [sentence for _, sentence in sorted(parts, key=lambda item: item[0])]


def chance(explanation: Mapping[str, Any]) -> str:
    """The learned model's predicted chance, in words, when a model made the proposal."""
    value = explanation.get("predicted_chance")
    if isinstance(value, Mapping):
        value = value.get("score")
    if not isinstance(value, int | float):
        return ""
    in_ten = max(1, round(float(value) * 10))
    return f"About {in_ten} in 10 introductions like this one became a mentorship."


_PHONE = re.compile(r"\+?\d[\d\- ]{1,18}\d")


def phone_number(text: str) -> str | None:
    """The first telephone number in a resource's contact line, for a `tel:` link (a person
    in crisis on a phone should need one tap), or None."""
    for found in _PHONE.finditer(text):
        digits = "".join(char for char in found.group(0) if char.isdigit() or char == "+")
        if 3 <= len(digits.lstrip("+")) <= 15:
            return digits
    return None


def percent(value: float | None) -> str:
    """A share as a whole percentage, or 'not yet known'."""
    return "not yet known" if value is None else f"{round(value * 100)}%"


def filters() -> dict[str, Callable[..., Any]]:
    """The template filters."""
    return {
        "day": day,
        "since": since,
        "until": until,
        "status_words": status_words,
        "pathway_words": pathway_words,
        "language_words": language_words,
        "reasons": reasons,
        "chance": chance,
        "percent": percent,
        "phone_number": phone_number,
    }
