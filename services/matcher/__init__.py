"""PeerMatch's matching engine: hard constraints, compatibility score, assignment.

Public API (what the web API, the worker and `peermatch solve` call):
- `parse_problem(data) -> Problem`, `parse_participant`, `ProblemError`: strict parsing.
- `violations(mentee, mentor, settings, reference_date, excluded=False) -> list[str]`;
  `card_figures(mentee, mentor, reference_date)`: the distance and overlap cards show.
- `score_pair(mentee, mentor, reference_date) -> PairScore`, `Weights`, `DEFAULT_WEIGHTS`.
- `solve(problem, weights=DEFAULT_WEIGHTS) -> Solution` (`.proposals`, `.stats`, `.as_dict()`).
- `PartnerIndex.for_mentors(...)` / `.for_mentees(...)` then `.best_partner(person)`,
  or the one-off `best_partner(person, others, side=..., reference_date=...)`.
"""

from services.matcher.constraints import CONSTRAINTS, card_figures, violations
from services.matcher.incremental import PartnerIndex, PartnerMatch, best_partner
from services.matcher.problem import (
    Availability,
    Location,
    Participant,
    Problem,
    ProblemError,
    Settings,
    parse_participant,
    parse_problem,
)
from services.matcher.scoring import COMPONENTS, DEFAULT_WEIGHTS, PairScore, Weights, score_pair
from services.matcher.solve import Proposal, Solution, solve

__all__ = [
    "COMPONENTS",
    "CONSTRAINTS",
    "DEFAULT_WEIGHTS",
    "Availability",
    "Location",
    "PairScore",
    "Participant",
    "PartnerIndex",
    "PartnerMatch",
    "Problem",
    "ProblemError",
    "Proposal",
    "Settings",
    "Solution",
    "Weights",
    "best_partner",
    "card_figures",
    "parse_participant",
    "parse_problem",
    "score_pair",
    "solve",
    "violations",
]
