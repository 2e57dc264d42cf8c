"""The plain words pages use: no raw codes or scores reach a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.web import words

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def test_reasons_are_sentences_strongest_first_without_numbers() -> None:
    explanation = {
        "schedule": {"score": 0.2, "detail": "2 hours a week in common"},
        "pathway": {"score": 0.9, "detail": "both AA"},
        "distance": {"score": 0.5, "detail": "under 2 km apart"},
        "waiting_bonus": 0.1,  # not a component a person reads
    }
    sentences = words.reasons(explanation)
    assert [s["topic"] for s in sentences] == [
        "Recovery pathway",
        "Distance",
        "Times you are both free",
    ]
    assert [s["strength"] for s in sentences] == ["strong", "good", "weaker"]
    assert not any(char.isdigit() for s in sentences for char in s["strength"])


def test_the_predicted_chance_reads_as_one_in_ten() -> None:
    assert words.chance({"predicted_chance": 0.34}) == (
        "About 3 in 10 introductions like this one became a mentorship."
    )
    assert words.chance({"predicted_chance": {"score": 0.01}}).startswith("About 1 in 10")
    assert words.chance({}) == ""


@given(st.integers(min_value=0, max_value=3650), st.integers(min_value=0, max_value=3650))
def test_longer_waits_never_read_shorter(first: int, second: int) -> None:
    def days(text: str) -> float:
        if text == "today":
            return 0
        number, unit = text.split()
        return int(number) * {"day": 1, "days": 1, "weeks": 7, "months": 30}[unit]

    shorter, longer = sorted((first, second))
    assert days(words.since(NOW - timedelta(days=shorter), NOW)) <= days(
        words.since(NOW - timedelta(days=longer), NOW)
    )


def test_statuses_pathways_and_languages_in_words() -> None:
    assert words.status_words("awaiting_approval").startswith("Both said yes")
    assert words.pathway_words("celebrate_recovery") == "Celebrate Recovery"
    assert words.language_words("es") == "Spanish"
    assert words.language_words("zz") == "zz"
    assert words.until(NOW + timedelta(hours=30), NOW) == "1 day"
    assert words.until(NOW - timedelta(hours=1), NOW) == "no time"


def test_a_crisis_line_gets_a_number_to_tap() -> None:
    assert words.phone_number("Call or text 988") == "988"
    assert words.phone_number("Call 1-800-662-4357 (free and confidential)") == "18006624357"
    assert words.phone_number("+44 116 123") == "+44116123"
    assert words.phone_number("Text HOME to the line") is None
    assert words.phone_number("Open 24/7") is None
