"""`peermatch solve FILE`: read a solve file, print the output JSON, a summary on stderr.

Standard output carries only the JSON (docs/SOLVE_FORMAT.md), so it can be piped; the
summary, the progress bar and errors go to standard error. A malformed file exits 2 with
one line naming the record and field, never a traceback.
"""

from __future__ import annotations

import gc
import sys
import time
from typing import Any, BinaryIO, TextIO

from services.matcher.problem import ProblemError

STAGES = (
    "read",
    "parsed",
    "encoded",
    "pairs",
    "candidates",
    "scores",
    "assignment",
    "explanations",
    "reasons",
    "written",
)


def _error(message: str) -> int:
    sys.stderr.write(f"peermatch solve: error: {message}\n")
    return 2


def _read(file: str, stdin: BinaryIO) -> bytes:
    try:
        if file == "-":
            return stdin.read()
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ProblemError(f"cannot read {file}: {exc.strerror or exc}") from None


def _is_text(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def show_progress(progress: str, stream: TextIO) -> bool:
    """Whether to draw the bar: `always`, `never`, or `auto` (only on a terminal)."""
    if progress == "always":
        return True
    if progress == "never":
        return False
    return stream.isatty()


def summary(stats: dict[str, Any], seconds: float) -> str:
    """The lines printed on standard error after a run."""
    lines = [
        f"peermatch solve: proposed {stats['proposed']:,} of {stats['max_coverage']:,} possible"
        f" ({stats['mentees']:,} mentees, {stats['mentors']:,} mentors) in {seconds:.2f} s"
    ]
    if stats["unmatched"]:
        reasons = stats.get("unmatched_by_reason") or {}
        detail = ", ".join(f"{code} {count:,}" for code, count in reasons.items())
        line = f"peermatch solve: unmatched {stats['unmatched']:,}"
        lines.append(f"{line} (main reason: {detail})" if detail else line)
    return "\n".join(lines) + "\n"


def run_solve(
    file: str,
    *,
    progress: str = "auto",
    quiet: bool = False,
    reasons: bool = True,
    model: str | None = None,
) -> int:
    """Solve FILE (or - for standard input), print the output JSON; 0 on success, 2 on bad input.

    With `model` (a file written by `peermatch model fit`), pairs are ranked by its chance."""
    started = time.perf_counter()
    # A batch process: the cyclic collector would only re-scan the decoded records.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(file, progress, quiet, reasons, started, model)
    finally:
        if collecting:
            gc.enable()


def _load_model(path: str) -> Any:
    from services.matcher.learned import ModelError, load_model

    try:
        with open(path, "rb") as handle:
            return load_model(handle.read())
    except OSError as exc:
        raise ProblemError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ModelError as exc:
        raise ProblemError(f"model {path}: {exc}") from None


def _run(
    file: str, progress: str, quiet: bool, reasons: bool, started: float, model_file: str | None
) -> int:
    bar: Any = None
    if show_progress(progress, sys.stderr):
        from tqdm import tqdm

        bar = tqdm(total=len(STAGES), file=sys.stderr, unit="step", desc="peermatch solve")

    def advance(stage: str) -> None:
        if bar is not None:
            bar.set_postfix_str(stage)
            bar.update(1)

    raw = b""
    try:
        model = _load_model(model_file) if model_file is not None else None
        raw = _read(file, sys.stdin.buffer)
        advance("read")
        from services.matcher.problem import load_problem

        problem = load_problem(raw)
        advance("parsed")
    except ProblemError as exc:
        if bar is not None:
            bar.close()
        if raw and not _is_text(raw):
            return _error(f"cannot read {file}: not UTF-8 text")
        return _error(str(exc))
    del raw
    from services.matcher.encoding import encode_problem
    from services.matcher.solve import solve_encoded

    encoded = encode_problem(problem)
    del problem  # the records are columns now; free them before the pairs arrive
    advance("encoded")
    solution = solve_encoded(encoded, progress=advance, explain=reasons, model=model)
    solution.stats["seconds"] = round(time.perf_counter() - started, 3)
    import msgspec

    out = sys.stdout.buffer
    out.write(msgspec.json.encode(solution.as_dict()))
    out.write(b"\n")
    out.flush()
    if bar is not None:
        bar.n = bar.total
        bar.set_postfix_str("written")
        bar.close()
    if not quiet:
        sys.stderr.write(summary(solution.stats, time.perf_counter() - started))
    return 0
