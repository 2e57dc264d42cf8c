"""A deterministic synthetic population in the solve-file format, for tests and benchmarks.

The mixes (`synthetic_tables.py`) are invented but plausible; the same seed always gives
the same population.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

import numpy as np

from services.matcher.synthetic_tables import (
    CLOSERS,
    FORMAT_SHARES,
    GENDER_SHARES,
    INTERESTS,
    METROS,
    MIDDLES,
    OPENERS,
    PATHWAY_SHARES,
    WEEKDAYS,
    WEEKEND,
    WINDOW_SHARES,
    WINDOWS,
)

REFERENCE_DATE = dt.date(2026, 11, 24)


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
