"""Hypothesis strategies for small, adversarial solve files (raw dicts, as a client sends)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from services.matcher.problem import GENDERS, PATHWAYS

# Whole-hour, half-hour and quarter-hour offsets, both hemispheres' daylight saving.
TIMEZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/New_York",
    "America/St_Johns",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
)
# Points a few km apart, around two cities, and near the antimeridian.
CENTRES = ((45.52, -122.68), (45.60, -122.50), (51.5, -0.12), (0.0, 179.99), (0.0, -179.99))
REFERENCE_DATES = ("2026-11-24", "2026-03-29", "2026-07-01")

# Boundaries matter: starts and lengths cluster on values that make overlaps land exactly
# on the thresholds, and days cluster around the week's wrap (Sunday to Monday).
STARTS = st.one_of(
    st.sampled_from((0, 60, 1380)),
    st.sampled_from((0, 30, 60, 600, 1080, 1380, 1410)),
    st.integers(min_value=0, max_value=1439),
)
LENGTHS = st.one_of(
    st.sampled_from((60, 120)),
    st.sampled_from((30, 59, 60, 61, 90, 120, 240)),
    st.integers(min_value=1, max_value=1440),
)
WINDOW_DAYS = ("sun", "sun", "mon", "mon", "sat", "tue", "wed", "thu", "fri")


@st.composite
def windows(draw: st.DrawFn) -> dict[str, str]:
    start = draw(STARTS)
    end = min(1440, start + draw(LENGTHS))
    end_text = "24:00" if end == 1440 else f"{end // 60:02d}:{end % 60:02d}"
    return {
        "day": draw(st.sampled_from(WINDOW_DAYS)),
        "start": f"{start // 60:02d}:{start % 60:02d}",
        "end": end_text,
    }


@st.composite
def person(draw: st.DrawFn, pid: str, role: str, compatible: bool = False) -> dict[str, Any]:
    meeting_format = draw(st.sampled_from(("in_person", "online", "either")))
    record: dict[str, Any] = {
        "id": pid,
        "gender": draw(st.sampled_from(GENDERS)),
        "gender_preference": draw(
            st.one_of(st.just([]), st.lists(st.sampled_from(GENDERS), max_size=2))
        ),
        "pathways": draw(
            st.one_of(st.just(["aa"]), st.lists(st.sampled_from(PATHWAYS), min_size=1, max_size=2))
        ),
        "languages": draw(
            st.one_of(
                st.just(["en"]),
                st.lists(st.sampled_from(("en", "es", "fr")), min_size=1, max_size=2),
            )
        ),
        "meeting_format": meeting_format,
        "timezone": draw(st.one_of(st.just("UTC"), st.sampled_from(TIMEZONES))),
        "availability": draw(st.lists(windows(), max_size=4)),
        "interests": draw(st.lists(st.sampled_from(("music", "dogs", "faith", "art")), max_size=3)),
        "about": draw(
            st.sampled_from(("", "I love dogs and music", "faith and music", "long walks"))
        ),
    }
    years = draw(
        st.integers(min_value=0, max_value=6) if role == "mentee" else st.sampled_from((1, 2, 5))
    )
    extra = draw(st.integers(min_value=-3, max_value=3))
    recovery_days = max(0, years * 365 + extra)
    if role == "mentee" and draw(st.booleans()):
        record["recovery_date"] = None
    else:
        record["recovery_date"] = recovery_days  # turned into a date by problem()
    if meeting_format != "online" or draw(st.booleans()):
        lat, lon = draw(st.sampled_from(CENTRES))
        record["location"] = {
            "latitude": round(lat + draw(st.floats(-0.3, 0.3)), 4),
            "longitude": max(-180.0, min(180.0, round(lon + draw(st.floats(-0.3, 0.3)), 4))),
        }
        record["max_distance_km"] = draw(st.sampled_from((1, 5, 10, 25, 60)))
    if compatible:
        # Everything but format, distance and schedule agrees, so those decide alone.
        record.update(gender_preference=[], pathways=["aa"], languages=["en"])
        record["recovery_date"] = None if role == "mentee" else 5 * 365
    if role == "mentor":
        capacity = draw(st.integers(min_value=1, max_value=3))
        record["capacity"] = capacity
        record["active_mentees"] = draw(st.integers(min_value=0, max_value=capacity))
    else:
        record["waiting_days"] = draw(st.integers(min_value=0, max_value=120))
    return record


@st.composite
def problems(
    draw: st.DrawFn, max_mentees: int = 7, max_mentors: int = 5, compatible: bool = False
) -> dict[str, Any]:
    import datetime as dt

    reference = draw(st.sampled_from(REFERENCE_DATES))
    day = dt.date.fromisoformat(reference)
    n_e = draw(st.integers(min_value=0, max_value=max_mentees))
    n_r = draw(st.integers(min_value=0, max_value=max_mentors))
    mentees = [draw(person(f"e{k}", "mentee", compatible)) for k in range(n_e)]
    mentors = [draw(person(f"r{k}", "mentor", compatible)) for k in range(n_r)]
    for record in mentees + mentors:
        if isinstance(record["recovery_date"], int):
            record["recovery_date"] = (day - dt.timedelta(days=record["recovery_date"])).isoformat()
    exclusions = []
    if n_e and n_r:
        exclusions = draw(
            st.lists(
                st.tuples(st.integers(0, n_e - 1), st.integers(0, n_r - 1)).map(
                    lambda t: [f"e{t[0]}", f"r{t[1]}"]
                ),
                max_size=3,
            )
        )
    return {
        "reference_date": reference,
        "settings": {
            "min_mentor_recovery_days": 365,
            "min_recovery_gap_days": 365,
            "min_schedule_overlap_minutes": draw(st.sampled_from((0, 30, 60, 61, 120))),
        },
        "mentees": mentees,
        "mentors": mentors,
        "exclusions": exclusions,
    }
