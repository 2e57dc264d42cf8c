"""PeerMatch's matching engine: hard constraints, compatibility score, assignment, reasons.

Public API (what the web API, the worker and `peermatch solve` call):
- `load_problem(bytes)`, `parse_problem(data) -> Problem`, `parse_participant`,
  `ProblemError`: strict reading of the solve-file format (docs/SOLVE_FORMAT.md).
- `violations(mentee, mentor, settings, reference_date, excluded=False) -> list[str]`;
  `card_figures(mentee, mentor, reference_date)`: the distance and overlap cards show.
- `score_pair(mentee, mentor, reference_date) -> PairScore`, `Weights`, `DEFAULT_WEIGHTS`.
- `solve(problem, weights=DEFAULT_WEIGHTS, model=None) -> Solution` (`.proposals`,
  `.unmatched`, `.stats`, `.as_dict()`); with a `LearnedModel` (`load_model(bytes)`,
  `LearnedModel.from_dict`), feasible pairs are ranked by its predicted chance.
- `pair_features(encoded, i, j)`, `FEATURES`: a pair's raw features (what an
  introduction keeps to learn from); fitting them is `services.matcher.fitting` (it
  imports scikit-learn, so it is not imported here).
- `PartnerIndex.for_mentors(...)` / `.for_mentees(...)` then `.best_partner(person)` and
  `.explain_waiting(mentee)`, or the one-off `best_partner(person, others, side=..., ...)`.
- `explain_waiting(mentees, mentors, reference_date=...) -> list[WaitingReason]`: why
  each mentee waits and what single change would open a match;
  `never_matches(person, role, reference_date=...) -> list[ProfileBlocker]`: what on a
  profile rules out every match, whoever else signs up.
"""

from services.matcher.constraints import CONSTRAINTS, card_figures, violations
from services.matcher.explanations import PairScore, score_pair
from services.matcher.features import FEATURES, pair_features
from services.matcher.incremental import PartnerIndex, PartnerMatch, best_partner
from services.matcher.learned import LearnedModel, ModelError, load_model
from services.matcher.problem import (
    Availability,
    Location,
    Participant,
    Problem,
    ProblemError,
    Settings,
    load_problem,
    parse_participant,
    parse_problem,
)
from services.matcher.profile_checks import ProfileBlocker, never_matches
from services.matcher.scoring import COMPONENTS, DEFAULT_WEIGHTS, Weights
from services.matcher.solve import Proposal, Solution, solve
from services.matcher.waiting import Obstacle, Suggestion, WaitingReason, explain_waiting

__all__ = [
    "COMPONENTS",
    "CONSTRAINTS",
    "DEFAULT_WEIGHTS",
    "FEATURES",
    "Availability",
    "LearnedModel",
    "Location",
    "ModelError",
    "Obstacle",
    "PairScore",
    "Participant",
    "PartnerIndex",
    "PartnerMatch",
    "Problem",
    "ProblemError",
    "ProfileBlocker",
    "Proposal",
    "Settings",
    "Solution",
    "Suggestion",
    "WaitingReason",
    "Weights",
    "best_partner",
    "card_figures",
    "explain_waiting",
    "load_model",
    "load_problem",
    "never_matches",
    "pair_features",
    "parse_participant",
    "parse_problem",
    "score_pair",
    "solve",
    "violations",
]
