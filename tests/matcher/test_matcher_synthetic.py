"""The synthetic population: deterministic, valid, and usable from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from services.matcher import parse_problem, score_pair
from services.matcher.synthetic import generate


def test_same_seed_same_population() -> None:
    assert generate(40, 10, seed=3) == generate(40, 10, seed=3)
    assert generate(40, 10, seed=3) != generate(40, 10, seed=4)


def test_population_is_valid_and_mixed() -> None:
    problem = parse_problem(generate(2000, 400, seed=1))
    formats = {p.meeting_format for p in problem.mentees}
    assert formats == {"in_person", "online", "either"}
    assert len({p.timezone for p in problem.mentors}) >= 8
    assert any(p.location is None for p in problem.mentees)
    assert {len(p.pathways) for p in problem.mentees} >= {1, 2}
    assert max(p.capacity for p in problem.mentors) == 4
    assert any(p.active_mentees for p in problem.mentors)


def test_score_pair_of_the_first_two() -> None:
    problem = parse_problem(generate(1, 1, seed=9))
    result = score_pair(problem.mentees[0], problem.mentors[0], problem.reference_date)
    assert 0 <= result.score <= 1 and "schedule" in result.explanation


def test_command_line(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-m", "services.matcher.synthetic", "--mentees", "7", "--mentors", "3"],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    ).stdout
    assert len(json.loads(out)["mentees"]) == 7
