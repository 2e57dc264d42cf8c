"""`peermatch solve` as a user runs it: exit codes, JSON on stdout, no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from services.matcher.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = (
    r"peermatch solve: proposed \d+ of \d+ possible \(\d+ mentees, \d+ mentors\) in [\d.]+ s\n"
    r"(peermatch solve: unmatched \d+ \(main reason: [a-z_]+ \d+(, [a-z_]+ \d+)*\)\n)?"
)
PEERMATCH = [sys.executable, "-c", "import sys; from services.cli import main; sys.exit(main())"]


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PEERMATCH, "solve", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_solve_prints_the_output_json(tmp_path: Path) -> None:
    data = generate(60, 20, seed=4)
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    # Not a terminal: no progress bar, only the summary.
    assert re.fullmatch(SUMMARY, result.stderr), result.stderr
    output = json.loads(result.stdout)
    assert output["stats"]["mentees"] == 60 and output["stats"]["mentors"] == 20
    assert output["stats"]["proposed"] == len(output["proposals"]) > 0
    assert len(output["unmatched"]) == output["stats"]["unmatched"] == 60 - len(output["proposals"])
    proposal = output["proposals"][0]
    assert set(proposal) == {"mentee_id", "mentor_id", "score", "explanation"}
    assert set(proposal["explanation"]["pathway"]) == {"score", "detail"}
    # Privacy: nobody's own words and no coordinates reach the output.
    for person in data["mentees"] + data["mentors"]:
        if person["about"]:
            assert person["about"] not in result.stdout
        if "location" in person:
            assert str(person["location"]["latitude"]) not in result.stdout


def test_solve_reads_standard_input_and_shows_progress_when_asked() -> None:
    result = _run("-", "--progress", "always", stdin=json.dumps(generate(10, 5, seed=1)))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stats"]["mentees"] == 10
    assert "peermatch solve" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON at line 1 column 2"),
        ('{"mentees": [], "mentors": [{"id": "r1"}]}', 'mentors[0] (id "r1"): field "'),
        ("[]", "the file must hold a JSON object"),
        ("\xff\xfe", "invalid JSON"),
        ("[" * 100_000, "invalid JSON: nested too deeply"),
    ],
)
def test_malformed_file_exits_2_without_traceback(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = _run(str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("peermatch solve: error: ")
    assert message in result.stderr


def test_unreadable_file(tmp_path: Path) -> None:
    result = _run(str(tmp_path / "missing.json"))
    assert result.returncode == 2
    assert "peermatch solve: error: cannot read" in result.stderr
    assert "Traceback" not in result.stderr
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    result = _run(str(binary))
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_solve_path_imports_stay_light() -> None:
    # Start-up is part of the 3 s budget: scikit-learn alone would cost about 1.3 s.
    code = (
        "import sys, services.cli, services.matcher.cli, services.matcher.solve;"
        "print(','.join(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    loaded = (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
        )
        .stdout.strip()
        .split(",")
    )
    for heavy in ("sklearn", "pandas", "pydantic", "sqlalchemy", "fastapi", "celery", "tqdm"):
        assert heavy not in loaded


def test_summary_counts_what_the_output_holds(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(generate(200, 40, seed=2)))
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    stats = output["stats"]
    first, second = result.stderr.splitlines()
    assert first.startswith(
        f"peermatch solve: proposed {stats['proposed']} of {stats['max_coverage']} possible"
        " (200 mentees, 40 mentors) in "
    )
    counts = dict(re.findall(r"([a-z_]+) (\d+)", second.split("main reason: ")[1]))
    reasons: dict[str, int] = {}
    for waiting in output["unmatched"]:
        reasons[waiting["code"]] = reasons.get(waiting["code"], 0) + 1
    assert {code: int(n) for code, n in counts.items()} == reasons == stats["unmatched_by_reason"]
    waiting = output["unmatched"][0]
    assert set(waiting) == {
        "mentee_id",
        "code",
        "text",
        "mentors_with_room",
        "obstacles",
        "suggestions",
        "blockers",
    }


def test_progress_alone_draws_a_bar_when_not_a_terminal_and_quiet_drops_the_summary(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(generate(30, 10, seed=3)))
    shown = _run("--progress", str(path))  # the flag alone, FILE after it
    assert shown.returncode == 0, shown.stderr
    assert "peermatch solve: 100%" in shown.stderr and "10/10" in shown.stderr
    assert "peermatch solve: proposed" in shown.stderr
    quiet = _run(str(path), "--quiet", "--no-reasons")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert json.loads(quiet.stdout)["unmatched"] == []
    never = _run(str(path), "--progress", "never")
    assert "%" not in never.stderr
    wrong = _run(str(path), "--progress=sometimes")
    assert wrong.returncode == 2 and "not one of auto, always, never" in wrong.stderr


def test_help_shows_defaults_and_where_the_format_is_documented() -> None:
    result = _run("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "docs/SOLVE_FORMAT.md" in text
    for flag in ("--progress", "--quiet", "--no-reasons"):
        assert flag in text
    assert text.count("(default:") >= 3
    assert (ROOT / "docs" / "SOLVE_FORMAT.md").exists()
