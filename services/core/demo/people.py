"""The demo organization's people: who they are, and the logins the README lists."""

from __future__ import annotations

from datetime import date
from typing import Any

DEMO_ORGANIZATION = "demo"
DEMO_ORGANIZATION_NAME = "Demo Recovery Fellowship"
DOMAIN = "demo.example.org"
COORDINATOR = (f"coordinator@{DOMAIN}", "demo-coordinator-password")
MENTEE = (f"mentee@{DOMAIN}", "demo-mentee-password")
MENTOR = (f"mentor1@{DOMAIN}", "demo-mentor-password")
MENTEE_PASSWORD = MENTEE[1]
MENTOR_PASSWORD = MENTOR[1]

PORTLAND_OR = {"city": "Portland", "region": "Oregon", "country": "US"}
PORTLAND_ME = {"city": "Portland", "region": "Maine", "country": "US"}
EVENINGS = [{"day": day, "start": "18:00", "end": "21:00"} for day in ("mon", "wed", "thu")]

# Mentors, in the order of their logins (mentor1, mentor2, ...). `vetted`: approved by the
# coordinator already; the others wait in mentor vetting. `days`: how long ago each joined.
MENTORS: list[dict[str, Any]] = [
    {
        "alias": "Juniper",
        "gender": "woman",
        "pathways": ["aa"],
        "recovery_date": date(2015, 6, 1),
        "interests": ["parenting", "running"],
        "about": "Sober since 2015, mother of two.",
        "vetted": True,
        "days": 150,
    },
    {
        "alias": "Cedar",
        "gender": "man",
        "pathways": ["na", "aa"],
        "recovery_date": date(2012, 2, 14),
        "interests": ["music", "cooking"],
        "about": "Working the steps daily; I love helping newcomers find their feet.",
        "vetted": True,
        "days": 148,
    },
    {
        "alias": "Sage",
        "gender": "nonbinary",
        "pathways": ["smart"],
        "recovery_date": date(2019, 9, 30),
        "interests": ["hiking", "journaling"],
        "about": "SMART tools changed my life. Happy to share what worked for me.",
        "vetted": True,
        "days": 140,
    },
    {
        "alias": "Maple",
        "gender": "woman",
        "pathways": ["celebrate_recovery"],
        "recovery_date": date(2017, 11, 5),
        "interests": ["faith", "gardening"],
        "about": "Celebrate Recovery leader, patient listener.",
        "vetted": False,
        "days": 6,
    },
    {
        "alias": "Birch",
        "gender": "man",
        "pathways": ["aa"],
        "recovery_date": date(2010, 4, 20),
        "interests": ["fishing", "woodwork"],
        "about": "Fifteen years sober. Retired, with time to listen.",
        "vetted": True,
        "days": 130,
    },
    {
        "alias": "Hazel",
        "gender": "woman",
        "pathways": ["aa"],
        "recovery_date": date(2019, 1, 12),
        "interests": ["parenting", "baking"],
        "about": "Seven years in. Evenings after the kids are in bed suit me best.",
        "vetted": False,
        "days": 2,
    },
    {
        # Free on Saturday mornings, when nobody waiting is: her places are for newcomers
        # (the README's walk-through signs one up).
        "alias": "Linden",
        "gender": "woman",
        "pathways": ["aa"],
        "recovery_date": date(2014, 8, 3),
        "interests": ["walking", "parenting"],
        "about": "Eleven years sober; Saturday mornings are my time to give back.",
        "availability": [{"day": "sat", "start": "09:00", "end": "12:00"}],
        "vetted": True,
        "days": 100,
    },
]

# Mentees after the demo mentee (mentee@), as mentee2@, mentee3@, ... `days`: how long ago
# each made their profile.
MENTEES: list[dict[str, Any]] = [
    {"alias": "Robin", "interests": ["parenting"], "days": 0},
    {"alias": "Dove", "interests": ["music"], "days": 36},
    {"alias": "Ash", "interests": ["cooking"], "days": 76},
    {"alias": "Fern", "pathways": ["smart"], "interests": ["hiking"], "days": 8},
    {"alias": "Jay", "gender": "man", "interests": ["running"], "days": 110},
    {"alias": "Moss", "pathways": ["smart", "aa"], "interests": ["journaling"], "days": 44},
    {"alias": "Kit", "gender": "nonbinary", "interests": ["woodwork"], "days": 90},
    {"alias": "Bay", "gender": "man", "interests": ["fishing"], "days": 56},
    {"alias": "Wren", "interests": ["parenting"], "days": 115},
    {"alias": "Heron", "gender": "man", "interests": ["music"], "days": 130},
    # Waits for a mentor who speaks Spanish.
    {"alias": "Lark", "languages": ["es"], "timezone": "America/Los_Angeles", "days": 9},
    # Wants to meet in person, in Maine: no mentor is near.
    {
        "alias": "Finch",
        "pathways": ["smart"],
        "location": PORTLAND_ME,
        "meeting_format": "in_person",
        "timezone": "America/New_York",
        "days": 4,
    },
]


def mentor_email(index: int) -> str:
    """The login of the mentor at `index` in MENTORS."""
    return f"mentor{index + 1}@{DOMAIN}"


def mentee_email(index: int) -> str:
    """The login of the mentee at `index` in MENTEES (the first is the demo mentee)."""
    return MENTEE[0] if index == 0 else f"mentee{index + 1}@{DOMAIN}"


def demo_member_emails() -> list[str]:
    """Every demo member's login (not the coordinator's)."""
    return [mentor_email(i) for i in range(len(MENTORS))] + [
        mentee_email(i) for i in range(len(MENTEES))
    ]


def mentor_fields(person: dict[str, Any]) -> dict[str, Any]:
    """A mentor's profile body."""
    fields = {k: v for k, v in person.items() if k not in ("vetted", "days")}
    return {
        "gender_preference": [],
        "languages": ["en"],
        "location": PORTLAND_OR,
        "max_distance_km": 40,
        "meeting_format": "either",
        "timezone": "America/Los_Angeles",
        "availability": EVENINGS,
        "capacity": 2,
        **fields,
    }


def mentee_fields(person: dict[str, Any]) -> dict[str, Any]:
    """A mentee's profile body: early days, evenings, Portland, unless they differ."""
    fields = {k: v for k, v in person.items() if k != "days"}
    return {
        "gender": "woman",
        "gender_preference": [],
        "pathways": ["aa"],
        "recovery_date": date(2026, 9, 1),
        "languages": ["en"],
        "location": PORTLAND_OR,
        "max_distance_km": 25,
        "meeting_format": "either",
        "timezone": "America/Los_Angeles",
        "availability": [{"day": "wed", "start": "19:00", "end": "21:00"}],
        "about": "A few weeks in, looking for someone who gets it.",
        **fields,
    }
