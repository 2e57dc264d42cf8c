"""Readable explanations of a pair's score: one short sentence per component.

Explanations never repeat what someone wrote about themselves, nor exact coordinates:
only rounded distances, whole hours and counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.matcher.encoding import EncodedProblem, encode_problem
from services.matcher.features import feature_rows, pair_features
from services.matcher.problem import Problem
from services.matcher.records import FAMILIES, PATHWAYS, Participant, Settings
from services.matcher.scoring import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    Weights,
    combine,
    component_scores,
    reach_km,
    shared_minutes,
)

PATHWAY_NAMES = {
    "aa": "AA",
    "na": "NA",
    "celebrate_recovery": "Celebrate Recovery",
    "smart": "SMART Recovery",
    "sos": "SOS",
    "refuge_recovery": "Refuge Recovery",
    "other": "another pathway",
}
FAMILY_NAMES = {
    "twelve_step": "twelve-step",
    "secular": "secular",
    "refuge_recovery": "Buddhist-inspired",
    "other": "other",
}
LANGUAGE_NAMES = {
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
    # Never sharper than the card, which says "under 2 km" below 2 km.
    if km < 2:
        return "under 2 km apart"
    if km < 10:
        return f"about {round(km)} km apart"
    if km < 100:
        return f"about {round(km / 5) * 5} km apart"
    return f"about {round(km / 50) * 50} km apart"


RECOVERY_BANDS = ((1, "under 1 year"), (2, "1-2 years"), (5, "2-5 years"), (10, "5-10 years"))
LONGEST_BAND = "10 years or more"


def recovery_band(days: float) -> str:
    """Time in recovery as the cards' coarse band: a gap in years would let the other side
    work out someone's recovery date, so explanations use the same bands as the cards."""
    years = days / 365.25
    for limit, band in RECOVERY_BANDS:
        if years < limit:
            return band
    return LONGEST_BAND


def _pathway_detail(same_pathways: int, same_families: int) -> str:
    same = _bit_names(same_pathways, PATHWAYS)
    if same:
        return "both " + " and ".join(PATHWAY_NAMES[p] for p in same)
    family = _bit_names(same_families, FAMILIES)
    if family:
        return f"different pathways in the same {FAMILY_NAMES[family[0]]} family"
    return "different pathway families"


def _language_detail(shared: list[str]) -> str:
    languages = [LANGUAGE_NAMES.get(x, x) for x in shared]
    return "both speak " + " and ".join(languages) if languages else "no language in common"


def _interests_detail(interests: list[str]) -> str:
    if not interests:
        return "no shared interests listed"
    shown = ", ".join(interests[:3]) + (" and more" if len(interests) > 3 else "")
    noun = "interest" if len(interests) == 1 else "interests"
    return f"{len(interests)} shared {noun}: {shown}"


def explain_pairs(
    encoded: EncodedProblem,
    i: np.ndarray,
    j: np.ndarray,
    weights: Weights = DEFAULT_WEIGHTS,
) -> tuple[np.ndarray, list[dict[str, dict[str, Any]]]]:
    """Scores and per-component explanations {"score": ..., "detail": ...} for pairs."""
    e, r = encoded.mentees, encoded.mentors
    minutes_array = shared_minutes(encoded, i, j)
    reach = reach_km(encoded, i, j)
    scores = component_scores(
        encoded, i, j, weights, slots=minutes_array // encoded.encoder.slot_step, reach=reach
    )
    total = combine(scores, weights)
    gaps = (r.days[j].astype(np.int64) - e.days[i]).tolist()
    mentor_days = r.days[j].tolist()
    minutes = minutes_array.tolist()
    reachable = (~np.isnan(reach)).tolist()
    km = np.nan_to_num(reach).tolist()
    e_path, r_path = e.pathway[i].tolist(), r.pathway[j].tolist()
    e_family = e.family[i].tolist()
    r_family = r.family[j].tolist()
    shared_lang = [tuple(x) for x in (e.languages[i] & r.languages[j]).tolist()]
    shared_interests = [tuple(x) for x in (e.interests[i] & r.interests[j]).tolist()]
    e_text, r_text = e.has_text[i].tolist(), r.has_text[j].tolist()
    columns = {name: values.tolist() for name, values in scores.items()}
    shown = {name: np.round(values, 3).tolist() for name, values in scores.items()}
    # Pairs share the same few pathways, languages and interests: each text is made once.
    pathway_of: dict[tuple[int, int], str] = {}
    language_of: dict[tuple[int, ...], str] = {}
    interests_of: dict[tuple[int, ...], str] = {}

    explanations = []
    for k in range(len(i)):
        key = (e_path[k] & r_path[k], e_family[k] & r_family[k])
        pathway = pathway_of.get(key)
        if pathway is None:
            pathway = pathway_of[key] = _pathway_detail(*key)
        hours = minutes[k] / 60
        if hours >= 1:
            hours_text = f"{round(hours)} hour" + ("" if round(hours) == 1 else "s")
        else:
            hours_text = f"{minutes[k]} minutes"
        language_text = language_of.get(shared_lang[k])
        if language_text is None:
            language_text = language_of[shared_lang[k]] = _language_detail(
                encoded.encoder.languages.names(np.array(shared_lang[k], dtype=np.uint64))
            )
        interest_text = interests_of.get(shared_interests[k])
        if interest_text is None:
            interest_text = interests_of[shared_interests[k]] = _interests_detail(
                encoded.encoder.interests.names(np.array(shared_interests[k], dtype=np.uint64))
            )
        details = {
            "pathway": pathway,
            "recovery_time": (
                f"mentor has more time in recovery ({recovery_band(mentor_days[k])})"
                if gaps[k] > 0
                else "mentor does not have more time in recovery"
            ),
            "schedule": f"{hours_text} a week in common",
            "distance": _distance_detail(reachable[k], km[k]),
            "language": language_text,
            "interests": interest_text,
            "about": _about_detail(e_text[k], r_text[k], columns["about"][k]),
        }
        explanations.append(
            {name: {"score": shown[name][k], "detail": details[name]} for name in COMPONENTS}
        )
    return total, explanations


@dataclass(frozen=True)
class PairScore:
    """A pair's score with its readable explanation."""

    score: float
    explanation: dict[str, dict[str, Any]]
    features: dict[str, float] = field(default_factory=dict)  # `features.FEATURES`


def score_pair(
    mentee: Participant,
    mentor: Participant,
    reference_date: dt.date,
    weights: Weights = DEFAULT_WEIGHTS,
    settings: Settings | None = None,
) -> PairScore:
    """Score and explain one pair (idf is fitted on the two texts; the batch uses everyone's)."""
    problem = Problem(reference_date, (mentee,), (mentor,), settings or Settings())
    encoded = encode_problem(problem)
    index = np.zeros(1, dtype=np.int64)
    scores, explanations = explain_pairs(encoded, index, index, weights)
    return PairScore(
        float(scores[0]), explanations[0], feature_rows(pair_features(encoded, index, index))[0]
    )
