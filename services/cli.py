"""The `peermatch` command line.

Imports are deferred to each subcommand so that `peermatch solve` never pays for the web
stack and `peermatch create-coordinator` never pays for the matching engine.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any


def _ask_password() -> str | None:
    """Ask for a new password twice, without echo; None (with a message) if they differ."""
    import getpass

    first = getpass.getpass("Password for the new coordinator: ")
    if getpass.getpass("The same password again: ") != first:
        print("peermatch create-coordinator: the two passwords differ", file=sys.stderr)
        return None
    return first


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peermatch", description="PeerMatch command line")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_solve(commands)
    _add_model(commands)

    coordinator = commands.add_parser(
        "create-coordinator", help="create a coordinator account (and its organization if new)"
    )
    coordinator.add_argument("--email", required=True)
    coordinator.add_argument(
        "--password",
        default=None,
        help="the password (at least 12 characters); left out, it is asked for without echo, "
        "which keeps it out of your shell's history",
    )
    coordinator.add_argument("--organization", required=True, help="organization slug")
    coordinator.add_argument("--display-name", default="Coordinator")
    coordinator.add_argument("--organization-name", default=None)
    serve = commands.add_parser("run", help="serve the API with a worker and its scheduler")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    demo = commands.add_parser(
        "seed-demo", help="create the demo organization and people (idempotent)"
    )
    demo.add_argument(
        "--reset",
        action="store_true",
        help="first delete the demo people and all of theirs (the organization, its "
        "settings, coordinators and other accounts stay)",
    )
    return parser


SOLVE_DESCRIPTION = """\
Propose introductions for the people in a solve file: the most mentees the hard
constraints allow, then the best total compatibility. The output JSON (proposals with
their explanations, and for each mentee left waiting the reasons and the changes that
would open a match) goes to standard output; a summary (proposed, the most possible,
unmatched by main reason, seconds) goes to standard error. A malformed file exits with
status 2 and a message naming the record and field.

The input and output formats are documented in docs/SOLVE_FORMAT.md."""


class _ProgressAction(argparse.Action):
    """`--progress [WHEN]`; a value that is not a WHEN is the FILE that followed the flag."""

    WHEN = ("auto", "always", "never")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values is None or values in self.WHEN:
            namespace.progress = values or "always"
        else:
            namespace.progress = "always"
            namespace.file_after_progress = values


def _add_solve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    solve = commands.add_parser(
        "solve",
        help="propose introductions for a solve file (format: docs/SOLVE_FORMAT.md)",
        description=SOLVE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage=(
            "peermatch solve [-h] [--progress [WHEN]] [--quiet] [--no-reasons] [--model MODEL] FILE"
        ),
    )
    solve.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="the solve file (JSON, see docs/SOLVE_FORMAT.md), or - to read standard input",
    )
    solve.add_argument(
        "--progress",
        nargs="?",
        action=_ProgressAction,
        default="auto",
        metavar="WHEN",
        help=(
            "draw a progress bar on standard error: always (what --progress alone means, "
            "even when standard error is not a terminal), never, or auto (only on a "
            "terminal) (default: auto)"
        ),
    )
    solve.add_argument(
        "--quiet",
        action="store_true",
        help="do not print the summary on standard error (default: print it)",
    )
    solve.add_argument(
        "--no-reasons",
        dest="reasons",
        action="store_false",
        help=(
            "leave out why each unmatched mentee waits (the output's unmatched list stays "
            "empty; a little faster) (default: include the reasons)"
        ),
    )
    solve.add_argument(
        "--model",
        default=None,
        metavar="MODEL",
        help=(
            "rank the feasible pairs by a learned model's chance (a file written by "
            "`peermatch model fit`) instead of the hand weights (default: hand weights)"
        ),
    )
    solve.set_defaults(solve_parser=solve)


MODEL_FIT_DESCRIPTION = """Fit the learned model on a history file: a solve input plus
`outcomes`, the past introductions and whether each became a mentorship
(docs/SOLVE_FORMAT.md, "History"). The latest quarter of the proposals is held out;
the model's AUC, log loss and share of mentorships ranked first are printed beside the
hand weights' on those same outcomes. A malformed or too small history exits with
status 2 and says why."""


def _add_model(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    model = commands.add_parser("model", help="fit a learned model on past outcomes")
    actions = model.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    fit = actions.add_parser(
        "fit",
        help="fit a model on a history file and print its held-out figures",
        description=MODEL_FIT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument("history", metavar="HISTORY", help="the history file, or - for stdin")
    fit.add_argument("-o", "--output", required=True, metavar="MODEL", help="where to write it")


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = _build_parser().parse_args(argv)
    if args.command == "solve":
        from services.matcher.cli import run_solve

        stray = getattr(args, "file_after_progress", None)
        if stray is not None and args.file is not None:
            args.solve_parser.error(f"--progress: {stray!r} is not one of auto, always, never")
        args.file = args.file or stray
        if args.file is None:
            args.solve_parser.error("the following arguments are required: FILE")

        return run_solve(
            args.file,
            progress=args.progress,
            quiet=args.quiet,
            reasons=args.reasons,
            model=args.model,
        )
    if args.command == "model":
        from services.matcher.model_cli import run_fit

        return run_fit(args.history, args.output)
    if args.command == "create-coordinator":
        from services.core.accounts.commands import create_coordinator_command

        password = args.password if args.password is not None else _ask_password()
        if password is None:
            return 2
        return create_coordinator_command(
            email=args.email,
            password=password,
            organization=args.organization,
            display_name=args.display_name,
            organization_name=args.organization_name,
        )
    if args.command == "run":
        from services.devserver import run

        return run(args.port)
    if args.command == "seed-demo":
        from services.core.demo import seed_demo_command

        return seed_demo_command(reset_first=args.reset)
    raise AssertionError(args.command)  # argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
