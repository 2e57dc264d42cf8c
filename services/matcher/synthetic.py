"""A deterministic synthetic population in the solve-file format, for tests and benchmarks.

Mixes are invented but plausible: twelve-step pathways dominate, most people prefer a
mentor of their own gender, people live in a dozen real metro areas (with their real
timezones) or meet online only, and they are free on weekday evenings and weekends.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

import numpy as np

REFERENCE_DATE = dt.date(2026, 11, 24)

# name, latitude, longitude, timezone, share, languages with their shares
METROS: tuple[tuple[str, float, float, str, float, dict[str, float]], ...] = (
    ("New York", 40.7128, -74.0060, "America/New_York", 0.16, {"en": 0.85, "es": 0.15}),
    ("Los Angeles", 34.0522, -118.2437, "America/Los_Angeles", 0.12, {"en": 0.7, "es": 0.3}),
    ("Chicago", 41.8781, -87.6298, "America/Chicago", 0.09, {"en": 0.9, "es": 0.1}),
    ("Houston", 29.7604, -95.3698, "America/Chicago", 0.07, {"en": 0.75, "es": 0.25}),
    ("Phoenix", 33.4484, -112.0740, "America/Phoenix", 0.05, {"en": 0.85, "es": 0.15}),
    ("Denver", 39.7392, -104.9903, "America/Denver", 0.05, {"en": 0.95, "es": 0.05}),
    ("Seattle", 47.6062, -122.3321, "America/Los_Angeles", 0.05, {"en": 0.95, "vi": 0.05}),
    ("Portland", 45.5152, -122.6784, "America/Los_Angeles", 0.04, {"en": 1.0}),
    ("Atlanta", 33.7490, -84.3880, "America/New_York", 0.06, {"en": 1.0}),
    ("Boston", 42.3601, -71.0589, "America/New_York", 0.05, {"en": 0.9, "pt": 0.1}),
    ("Miami", 25.7617, -80.1918, "America/New_York", 0.05, {"en": 0.6, "es": 0.4}),
    ("Toronto", 43.6532, -79.3832, "America/Toronto", 0.06, {"en": 0.9, "fr": 0.1}),
    ("London", 51.5074, -0.1278, "Europe/London", 0.08, {"en": 1.0}),
    ("Dublin", 53.3498, -6.2603, "Europe/Dublin", 0.03, {"en": 1.0}),
    ("Mexico City", 19.4326, -99.1332, "America/Mexico_City", 0.04, {"es": 0.9, "en": 0.1}),
)
PATHWAY_SHARES = {
    "aa": 0.45,
    "na": 0.2,
    "smart": 0.12,
    "celebrate_recovery": 0.08,
    "refuge_recovery": 0.05,
    "sos": 0.03,
    "other": 0.07,
}
GENDER_SHARES = {"woman": 0.45, "man": 0.45, "nonbinary": 0.07, "prefer_not_to_say": 0.03}
FORMAT_SHARES = {"in_person": 0.4, "either": 0.45, "online": 0.15}
INTERESTS = (
    "parenting",
    "hiking",
    "running",
    "music",
    "faith",
    "meditation",
    "cooking",
    "veterans",
    "lgbtq",
    "art",
    "sports",
    "reading",
    "gardening",
    "dogs",
    "career",
    "students",
    "grief",
    "chronic pain",
    "yoga",
    "cycling",
)
OPENERS = (
    "I am a parent of two",
    "I work nights as a nurse",
    "I am a teacher",
    "I'm a veteran",
    "I recently moved to the city",
    "I am retired",
    "I work in construction",
    "I am a college student",
    "I run a small business",
    "I work in tech",
)
MIDDLES = (
    "and I am looking for someone who has been through the steps",
    "and I want help staying accountable",
    "and I find meetings hard to get to",
    "and I would like a sponsor who is patient",
    "and I love talking about books and long walks",
    "and faith is an important part of my recovery",
    "and meditation keeps me grounded",
    "and I need someone who understands early recovery",
    "and I like to keep things practical",
)
CLOSERS = (
    "Mornings are hard for me.",
    "I like hiking on weekends.",
    "Coffee after meetings is my favourite part.",
    "I am open and honest.",
    "I'm learning to cook again.",
    "My dog keeps me company.",
    "",
)
# (days, start, end): weekday evenings dominate, then weekends, then lunch and mornings.
WINDOWS = (
    ("weekday", "18:00", "21:00"),
    ("weekday", "19:00", "22:00"),
    ("weekday", "17:30", "19:30"),
    ("weekday", "12:00", "13:00"),
    ("weekday", "06:30", "08:00"),
    ("weekend", "09:00", "12:00"),
    ("weekend", "13:00", "17:00"),
    ("weekend", "19:00", "23:00"),
)
WINDOW_SHARES = (0.22, 0.2, 0.1, 0.08, 0.06, 0.16, 0.12, 0.06)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
WEEKEND = ("sat", "sun")


def _choice(rng: np.random.Generator, shares: dict[str, float], size: int) -> list[str]:
    names = list(shares)
    p = np.array(list(shares.values()))
    return [names[k] for k in rng.choice(len(names), size=size, p=p / p.sum())]


def _preference(rng: np.random.Generator, gender: str) -> list[str]:
    roll = rng.random()
    if gender == "woman":
        return ["woman"] if roll < 0.7 else ([] if roll < 0.9 else ["woman", "nonbinary"])
    if gender == "man":
        return ["man"] if roll < 0.65 else ([] if roll < 0.9 else ["man", "nonbinary"])
    if gender == "nonbinary":
        return [] if roll < 0.6 else ["nonbinary", "woman"]
    return []


def _availability(rng: np.random.Generator) -> list[dict[str, str]]:
    windows = []
    for _ in range(int(rng.integers(2, 5))):
        kind, start, end = WINDOWS[rng.choice(len(WINDOWS), p=WINDOW_SHARES)]
        pool = WEEKDAYS if kind == "weekday" else WEEKEND
        windows.append({"day": pool[int(rng.integers(len(pool)))], "start": start, "end": end})
    return windows


def _person(rng: np.random.Generator, pid: str, role: str, metro_index: int) -> dict[str, Any]:
    _, lat, lon, tz, _, languages = METROS[metro_index]
    gender = _choice(rng, GENDER_SHARES, 1)[0]
    meeting_format = _choice(rng, FORMAT_SHARES, 1)[0]
    pathways = _choice(rng, PATHWAY_SHARES, 1)
    if rng.random() < 0.1:
        pathways = list(dict.fromkeys(pathways + _choice(rng, PATHWAY_SHARES, 1)))
    spoken = _choice(rng, languages, 1)
    if rng.random() < 0.15:
        spoken = list(dict.fromkeys([*spoken, "en", "es"]))
    if role == "mentor":
        days = int(365 * (1.2 + rng.gamma(2.0, 3.0)))
    else:
        roll = rng.random()
        days = int(rng.integers(0, 365)) if roll < 0.6 else int(rng.integers(365, 3 * 365))
        days = -1 if roll > 0.9 else days
    record: dict[str, Any] = {
        "id": pid,
        "gender": gender,
        "gender_preference": _preference(rng, gender),
        "pathways": pathways,
        "recovery_date": None
        if days < 0
        else (REFERENCE_DATE - dt.timedelta(days=days)).isoformat(),
        "languages": spoken,
        "meeting_format": meeting_format,
        "timezone": tz,
        "availability": _availability(rng),
        "interests": sorted(
            INTERESTS[k] for k in rng.choice(len(INTERESTS), int(rng.integers(0, 5)), replace=False)
        ),
        "about": " ".join(
            part
            for part in (
                OPENERS[int(rng.integers(len(OPENERS)))],
                MIDDLES[int(rng.integers(len(MIDDLES)))] + ".",
                CLOSERS[int(rng.integers(len(CLOSERS)))],
            )
            if part
        ),
    }
    if meeting_format != "online":
        record["location"] = {
            "latitude": round(lat + float(rng.normal(0, 0.12)), 5),
            "longitude": round(lon + float(rng.normal(0, 0.15)), 5),
        }
        record["max_distance_km"] = int(rng.choice([10, 15, 25, 40, 60]))
    if role == "mentor":
        capacity = int(rng.choice([1, 2, 3, 4], p=[0.05, 0.15, 0.3, 0.5]))
        record["capacity"] = capacity
        record["active_mentees"] = int(rng.integers(0, capacity)) if rng.random() < 0.25 else 0
    else:
        record["waiting_days"] = int(rng.exponential(20))
    return record


def generate(
    n_mentees: int,
    n_mentors: int,
    seed: int = 0,
    *,
    reference_date: dt.date = REFERENCE_DATE,
    exclusion_share: float = 0.01,
) -> dict[str, Any]:
    """A solve-file dict with the given numbers of mentees and mentors, same for one seed."""
    rng = np.random.default_rng(seed)
    shares = np.array([m[4] for m in METROS])
    shares /= shares.sum()
    mentee_metros = rng.choice(len(METROS), size=n_mentees, p=shares)
    mentor_metros = rng.choice(len(METROS), size=n_mentors, p=shares)
    mentees = [_person(rng, f"e{k}", "mentee", int(m)) for k, m in enumerate(mentee_metros)]
    mentors = [_person(rng, f"r{k}", "mentor", int(m)) for k, m in enumerate(mentor_metros)]
    exclusions: list[list[str]] = []
    if n_mentees and n_mentors:
        count = int(n_mentees * exclusion_share)
        pairs = {
            (int(a), int(b))
            for a, b in zip(
                rng.integers(0, n_mentees, count), rng.integers(0, n_mentors, count), strict=True
            )
        }
        exclusions = [[f"e{a}", f"r{b}"] for a, b in sorted(pairs)]
    if reference_date != REFERENCE_DATE:
        shift = reference_date - REFERENCE_DATE
        for person in mentees + mentors:
            if person["recovery_date"]:
                moved = dt.date.fromisoformat(person["recovery_date"]) + shift
                person["recovery_date"] = moved.isoformat()
    return {
        "reference_date": reference_date.isoformat(),
        "settings": {
            "min_mentor_recovery_days": 365,
            "min_recovery_gap_days": 365,
            "min_schedule_overlap_minutes": 60,
        },
        "mentees": mentees,
        "mentors": mentors,
        "exclusions": exclusions,
    }


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic solve file to standard output."""
    parser = argparse.ArgumentParser(description="synthetic PeerMatch solve file")
    parser.add_argument("--mentees", type=int, required=True)
    parser.add_argument("--mentors", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    json.dump(generate(args.mentees, args.mentors, seed=args.seed), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
