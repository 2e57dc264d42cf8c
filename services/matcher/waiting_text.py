"""The words of "why still waiting": short, kind and plain, for someone reading on a phone.

Every sentence speaks to the mentee ("you"), blames nobody, never names another person,
and says what happens next when nothing needs to change.
"""

from __future__ import annotations

from functools import lru_cache

from services.matcher.records import DAYS

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GENDER_WORDS = {
    "woman": "a woman",
    "man": "a man",
    "nonbinary": "nonbinary",
    "prefer_not_to_say": "someone who prefers not to say their gender",
}


def mentors(n: int) -> str:
    """'1 mentor', '3 mentors'."""
    return f"{n} mentor" if n == 1 else f"{n} mentors"


def duration(minutes: int) -> str:
    """'an hour', '90 minutes', '2 hours'."""
    if minutes == 60:
        return "an hour"
    if minutes % 60 == 0 and minutes > 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"


HEADLINES = {
    "capacity": (
        "Every mentor who fits you is full right now. You are on the list, and we will "
        "introduce you as soon as one of them has room."
    ),
    "no_mentors": (
        "No mentor has room right now. You are on the list, and we will introduce you as "
        "soon as one does."
    ),
    "can_match": "A mentor with room fits you, so an introduction can be made now.",
    "schedule": "No mentor with room is free at the same times as you yet.",
    "distance": "The mentors with room who fit you live too far away to meet in person.",
    "meeting_format": (
        "The mentors with room who fit you meet only online, and you asked to meet in person."
    ),
    "meeting_format_online": (
        "The mentors with room who fit you meet only in person, and you asked to meet online."
    ),
    "pathway": "No mentor with room follows a pathway close to yours yet.",
    "language": "No mentor with room speaks a language you listed yet.",
    "gender": "No mentor with room matches the gender you asked for yet.",
    "recovery_time": "The mentors with room do not have enough time in recovery ahead of you yet.",
    "excluded": "You have already been introduced to the mentors with room who fit you.",
}


@lru_cache(maxsize=1 << 16)  # the same few counts come back for thousands of mentees
def obstacle_text(code: str, n: int, need_minutes: int, mentee_online: bool) -> str:
    """One line per rule: how many mentors with room it rules out."""
    one = n == 1
    if code == "capacity":
        fit, are = ("fits", "is") if one else ("fit", "are")
        return f"{mentors(n)} who {fit} you {are} full right now"
    verb = {
        "pathway": ("follows", "follow"),
        "gender": ("does", "do"),
        "language": ("does", "do"),
        "recovery_time": ("does", "do"),
        "meeting_format": ("meets", "meet"),
        "distance": ("lives", "live"),
        "schedule": ("shares", "share"),
    }
    if code == "excluded":
        return f"{mentors(n)} you have been introduced to before"
    rest = {
        "pathway": "a pathway in another family",
        "gender": "not match the gender you asked for, or you do not match theirs",
        "language": "not share a language with you",
        "recovery_time": "not have enough time in recovery ahead of yours",
        "meeting_format": "only in person" if mentee_online else "only online",
        "distance": "further away than you or they can travel",
        "schedule": f"less than {duration(need_minutes)} a week of free time with you",
    }
    return f"{mentors(n)} {verb[code][0 if one else 1]} {rest[code]}"


def window_words(day: int, part: str) -> str:
    """'Wednesday evenings'."""
    return f"{DAY_NAMES[day]} {part}"


def day_code(day: int) -> str:
    """The solve file's day name: 'wed'."""
    return DAYS[day]
