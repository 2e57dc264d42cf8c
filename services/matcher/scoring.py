"""The compatibility score: readable components, one set of default weights, explanations.

Every component is a number in [0, 1] and a sentence a person can read. The score is the
weighted mean of the components, so it is in [0, 1] too. Explanations never repeat what
someone wrote about themselves, nor exact coordinates: only rounded distances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from services.matcher.encoding import ONLINE, EncodedProblem
from services.matcher.feasibility import overlap_slots
from services.matcher.geography import haversine_km_array
from services.matcher.problem import FAMILIES, PATHWAYS, Participant, Problem, Settings
from services.matcher.text import pair_cosines

COMPONENTS: tuple[str, ...] = (
    "pathway",
    "recovery_time",
    "schedule",
    "distance",
    "language",
    "interests",
    "about",
)


@dataclass(frozen=True)
class Weights:
    """Weights of the score components and of the waiting bonus, in one place."""

    pathway: float = 0.20
    recovery_time: float = 0.10
    schedule: float = 0.20
    distance: float = 0.15
    language: float = 0.10
    interests: float = 0.15
    about: float = 0.10
    # Added to a pair's score in the assignment only (never shown as the score): a mentee
    # who waited `waiting_horizon_days` or more gets the full bonus.
    waiting_bonus: float = 0.20
    waiting_horizon_days: int = 90
    # Component shapes: the distance at which closeness scores 0.5, the recovery gap and
    # the weekly overlap that score 1.0, and the shared interests that score 1.0.
    half_score_km: float = 10.0
    full_gap_days: int = 3 * 365
    full_overlap_minutes: int = 360
    full_shared_interests: int = 3

    def as_dict(self) -> dict[str, float]:
        """The weights as a plain dict, for a coordinator to see."""
        return asdict(self)


DEFAULT_WEIGHTS = Weights()

_PATHWAY_NAMES = {
    "aa": "AA",
    "na": "NA",
    "celebrate_recovery": "Celebrate Recovery",
    "smart": "SMART Recovery",
    "sos": "SOS",
    "refuge_recovery": "Refuge Recovery",
    "other": "another pathway",
}
_FAMILY_NAMES = {
    "twelve_step": "twelve-step",
    "secular": "secular",
    "refuge_recovery": "Buddhist-inspired",
    "other": "other",
}
_LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "pt": "Portuguese",
    "de": "German",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "ko": "Korean",
    "ar": "Arabic",
    "ru": "Russian",
    "hi": "Hindi",
    "it": "Italian",
    "pl": "Polish",
    "ja": "Japanese",
}


def _bit_names(mask: int, names: tuple[str, ...]) -> list[str]:
    return [name for k, name in enumerate(names) if mask >> k & 1]


def in_reach(encoded: EncodedProblem, i: np.ndarray, j: np.ndarray, km: np.ndarray) -> np.ndarray:
    """Whether each pair could meet in person: both located, neither online, close enough."""
    e, r = encoded.mentees, encoded.mentors
    return (
        e.has_location[i]
        & r.has_location[j]
        & (e.meeting_format[i] != ONLINE)
        & (r.meeting_format[j] != ONLINE)
        & (km <= np.minimum(e.max_km[i], r.max_km[j]))
    )


def component_scores(
    encoded: EncodedProblem,
    i: np.ndarray,
    j: np.ndarray,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    with_text: bool = True,
) -> dict[str, np.ndarray]:
    """Each component's score in [0, 1] for the pairs (mentee row i[k], mentor row j[k])."""
    e, r = encoded.mentees, encoded.mentors
    scores: dict[str, np.ndarray] = {}
    scores["pathway"] = np.where((e.pathway[i] & r.pathway[j]) != 0, 1.0, 0.5)
    gap = r.days[j].astype(np.float64) - e.days[i]
    scores["recovery_time"] = np.clip(gap / weights.full_gap_days, 0.0, 1.0)
    minutes = overlap_slots(e.schedule[i], r.schedule[j]).astype(np.float64)
    minutes *= encoded.encoder.slot_step
    scores["schedule"] = np.minimum(1.0, minutes / weights.full_overlap_minutes)
    km = haversine_km_array(e.lat[i], e.lon[i], r.lat[j], r.lon[j])
    # Meeting online scores half; a pair who can also meet in person scores more, the
    # closer the better (a half point more at 0 km, a quarter at `half_score_km`).
    closeness = 0.5 + 0.5 / (1.0 + km / weights.half_score_km)
    scores["distance"] = np.where(in_reach(encoded, i, j, km), closeness, 0.5)
    same_first = (e.first_language[i] == r.first_language[j]) & (e.first_language[i] >= 0)
    scores["language"] = np.where(same_first, 1.0, 0.75)
    shared = np.bitwise_count(e.interests[i] & r.interests[j]).sum(axis=1, dtype=np.int64)
    scores["interests"] = np.minimum(1.0, shared / weights.full_shared_interests)
    if with_text:
        scores["about"] = pair_cosines(e.text, r.text, i, j)
    return scores


def combine(scores: dict[str, np.ndarray], weights: Weights = DEFAULT_WEIGHTS) -> np.ndarray:
    """Weighted mean of the components present (in [0, 1])."""
    total = np.zeros_like(next(iter(scores.values())), dtype=np.float64)
    weight_sum = 0.0
    for name, values in scores.items():
        weight = getattr(weights, name)
        total += weight * values
        weight_sum += weight
    return total / weight_sum if weight_sum > 0 else total


def waiting_bonus(
    encoded: EncodedProblem, i: np.ndarray, weights: Weights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """The assignment's bonus for mentees who have waited, in [0, waiting_bonus]."""
    horizon = max(1, weights.waiting_horizon_days)
    waited = np.minimum(encoded.mentees.waiting_days[i], horizon) / horizon
    return weights.waiting_bonus * waited


def _about_detail(mentee_text: bool, mentor_text: bool, similarity: float) -> str:
    if not (mentee_text and mentor_text):
        return "one of you has not written about yourself yet"
    if similarity >= 0.5:
        return "what you each wrote about yourselves has a lot in common"
    if similarity >= 0.2:
        return "what you each wrote about yourselves has some things in common"
    if similarity > 0:
        return "what you each wrote about yourselves has a little in common"
    return "what you each wrote about yourselves has little in common"


def _distance_detail(reachable: bool, km: float) -> str:
    if not reachable:
        return "meeting online, so distance does not matter"
    if km < 1:
        return "less than 1 km apart"
    if km < 10:
        return f"about {round(km)} km apart"
    if km < 100:
        return f"about {round(km / 5) * 5} km apart"
    return f"about {round(km / 50) * 50} km apart"


def _years(days: float) -> str:
    years = days / 365.25
    if years < 1:
        return "less than a year"
    whole = round(years)
    return "about 1 year" if whole == 1 else f"about {whole} years"


def explain_pairs(
    encoded: EncodedProblem,
    i: np.ndarray,
    j: np.ndarray,
    weights: Weights = DEFAULT_WEIGHTS,
) -> tuple[np.ndarray, list[dict[str, dict[str, Any]]]]:
    """Scores and per-component explanations {"score": ..., "detail": ...} for pairs."""
    scores = component_scores(encoded, i, j, weights)
    total = combine(scores, weights)
    e, r = encoded.mentees, encoded.mentors
    gaps = (r.days[j].astype(np.int64) - e.days[i]).tolist()
    minutes = (
        overlap_slots(e.schedule[i], r.schedule[j]).astype(np.int64) * encoded.encoder.slot_step
    ).tolist()
    km_array = haversine_km_array(e.lat[i], e.lon[i], r.lat[j], r.lon[j])
    reachable = in_reach(encoded, i, j, km_array).tolist()
    km = km_array.tolist()
    e_path, r_path = e.pathway[i].tolist(), r.pathway[j].tolist()
    e_family = e.family[i].tolist()
    r_family = r.family[j].tolist()
    shared_lang = e.languages[i] & r.languages[j]
    shared_interests = e.interests[i] & r.interests[j]
    e_text, r_text = e.has_text[i].tolist(), r.has_text[j].tolist()
    columns = {name: values.tolist() for name, values in scores.items()}

    explanations = []
    for k in range(len(i)):
        same = _bit_names(e_path[k] & r_path[k], PATHWAYS)
        if same:
            pathway = "both " + " and ".join(_PATHWAY_NAMES[p] for p in same)
        else:
            family = _bit_names(e_family[k] & r_family[k], FAMILIES)
            if family:
                pathway = f"different pathways in the same {_FAMILY_NAMES[family[0]]} family"
            else:
                pathway = "different pathway families"
        hours = minutes[k] / 60
        if hours >= 1:
            hours_text = f"{round(hours)} hour" + ("" if round(hours) == 1 else "s")
        else:
            hours_text = f"{minutes[k]} minutes"
        languages = [
            _LANGUAGE_NAMES.get(x, x) for x in encoded.encoder.languages.names(shared_lang[k])
        ]
        interests = encoded.encoder.interests.names(shared_interests[k])
        if interests:
            shown = ", ".join(interests[:3]) + (" and more" if len(interests) > 3 else "")
            noun = "interest" if len(interests) == 1 else "interests"
            interest_text = f"{len(interests)} shared {noun}: {shown}"
        else:
            interest_text = "no shared interests listed"
        details = {
            "pathway": pathway,
            "recovery_time": (
                f"mentor has {_years(gaps[k])} more in recovery"
                if gaps[k] > 0
                else "mentor does not have more time in recovery"
            ),
            "schedule": f"{hours_text} a week in common",
            "distance": _distance_detail(reachable[k], km[k]),
            "language": (
                "both speak " + " and ".join(languages) if languages else "no language in common"
            ),
            "interests": interest_text,
            "about": _about_detail(e_text[k], r_text[k], columns["about"][k]),
        }
        explanations.append(
            {
                name: {"score": round(columns[name][k], 3), "detail": details[name]}
                for name in COMPONENTS
            }
        )
    return total, explanations


@dataclass(frozen=True)
class PairScore:
    """A pair's score with its readable explanation."""

    score: float
    explanation: dict[str, dict[str, Any]]


def score_pair(
    mentee: Participant,
    mentor: Participant,
    reference_date: dt.date,
    weights: Weights = DEFAULT_WEIGHTS,
    settings: Settings | None = None,
) -> PairScore:
    """Score and explain one pair (idf is fitted on the two texts; the batch uses everyone's)."""
    from services.matcher.encoding import encode_problem

    problem = Problem(reference_date, (mentee,), (mentor,), settings or Settings())
    encoded = encode_problem(problem)
    index = np.zeros(1, dtype=np.int64)
    scores, explanations = explain_pairs(encoded, index, index, weights)
    return PairScore(float(scores[0]), explanations[0])
