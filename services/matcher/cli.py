"""`peermatch solve FILE`: read a solve file, print proposals as JSON, exit 2 on bad input."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from services.matcher.problem import ProblemError

_STAGES = (
    "read",
    "parsed",
    "encoded",
    "pairs without a distance limit",
    "pairs within reach",
    "candidates",
    "scores",
    "assignment",
    "explanations",
    "written",
)


def _error(message: str) -> int:
    sys.stderr.write(f"peermatch solve: error: {message}\n")
    return 2


def _read(file: str) -> Any:
    try:
        if file == "-":
            text = sys.stdin.read()
        else:
            with open(file, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise ProblemError(f"cannot read {file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ProblemError(f"cannot read {file}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ProblemError("invalid JSON: nested too deeply") from None


def _show_progress(progress: str, stream: TextIO) -> bool:
    if progress == "always":
        return True
    if progress == "never":
        return False
    return stream.isatty()


def run_solve(file: str, *, progress: str = "auto") -> int:
    """Solve FILE (or - for standard input), print the output JSON; 0 on success, 2 on bad input."""
    bar: Any = None
    if _show_progress(progress, sys.stderr):
        from tqdm import tqdm

        bar = tqdm(total=len(_STAGES), file=sys.stderr, unit="step", desc="peermatch solve")

    def advance(stage: str) -> None:
        if bar is not None:
            bar.set_postfix_str(stage)
            bar.update(1)

    try:
        data = _read(file)
        advance("read")
        from services.matcher.problem import parse_problem

        problem = parse_problem(data)
        del data
        advance("parsed")
    except ProblemError as exc:
        if bar is not None:
            bar.close()
        return _error(str(exc))
    from services.matcher.solve import solve

    solution = solve(problem, progress=advance)
    # One dumps call runs the C encoder once; json.dump would write thousands of pieces.
    sys.stdout.write(json.dumps(solution.as_dict(), separators=(",", ":")))
    sys.stdout.write("\n")
    sys.stdout.flush()
    if bar is not None:
        bar.n = bar.total
        bar.set_postfix_str("written")
        bar.close()
    return 0
