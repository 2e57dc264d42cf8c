"""The `peermatch` command line.

Imports are deferred to each subcommand so that `peermatch solve` never pays for the web
stack and `peermatch create-coordinator` never pays for the matching engine.
"""

from __future__ import annotations

import argparse
import os
import sys


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peermatch", description="PeerMatch command line")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    solve = commands.add_parser("solve", help="propose introductions for a solve file")
    solve.add_argument("file", help="input JSON file as in MATCHING.md, or - for standard input")
    solve.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress bar on standard error (auto: only when it is a terminal)",
    )

    coordinator = commands.add_parser(
        "create-coordinator", help="create a coordinator account (and its organization if new)"
    )
    coordinator.add_argument("--email", required=True)
    coordinator.add_argument("--password", required=True)
    coordinator.add_argument("--organization", required=True, help="organization slug")
    coordinator.add_argument("--display-name", default="Coordinator")
    coordinator.add_argument("--organization-name", default=None)
    serve = commands.add_parser("run", help="serve the API with a worker and its scheduler")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    commands.add_parser("seed-demo", help="create the demo organization and people (idempotent)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = _build_parser().parse_args(argv)
    if args.command == "solve":
        from services.matcher.cli import run_solve

        return run_solve(args.file, progress=args.progress)
    if args.command == "create-coordinator":
        from services.core.accounts.commands import create_coordinator_command

        return create_coordinator_command(
            email=args.email,
            password=args.password,
            organization=args.organization,
            display_name=args.display_name,
            organization_name=args.organization_name,
        )
    if args.command == "run":
        from services.devserver import run

        return run(args.port)
    if args.command == "seed-demo":
        from services.core.demo import seed_demo_command

        return seed_demo_command()
    raise AssertionError(args.command)  # argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
