"""Valid request bodies to start from; tests override what they are about."""

from __future__ import annotations

from typing import Any


def mentee_body(**overrides: Any) -> dict[str, Any]:
    """A valid mentee profile in Portland."""
    body: dict[str, Any] = {
        "alias": "River",
        "gender": "woman",
        "gender_preference": ["woman"],
        "pathways": ["aa"],
        "recovery_date": "2026-09-01",
        "languages": ["en"],
        "location": {"latitude": 45.523062, "longitude": -122.676482},
        "max_distance_km": 25,
        "meeting_format": "either",
        "timezone": "America/Los_Angeles",
        "availability": [{"day": "tue", "start": "18:00", "end": "21:00"}],
        "interests": ["parenting", "hiking"],
        "about": "Early days, looking for someone who has been there.",
    }
    body.update(overrides)
    return body


def mentor_body(**overrides: Any) -> dict[str, Any]:
    """A valid mentor profile in Portland."""
    body = mentee_body(
        alias="Oak",
        recovery_date="2018-03-15",
        gender_preference=[],
        about="Eight years sober, happy to walk the steps with someone.",
        capacity=3,
    )
    body.update(overrides)
    return body
