"""Demo data for `make run`: an organization a newcomer can click through at once, with a
few months of history so that every page shows something."""

from __future__ import annotations

import sys

from sqlalchemy.exc import OperationalError, ProgrammingError

from services.core.db import make_engine, make_session_factory, transaction
from services.core.demo.people import COORDINATOR, DEMO_ORGANIZATION, MENTEE, MENTOR, MENTORS
from services.core.demo.seeding import reset, seed
from services.core.settings import get_settings

__all__ = ["COORDINATOR", "DEMO_ORGANIZATION", "MENTEE", "MENTOR", "reset", "seed"]


def seed_demo_command(*, reset_first: bool = False) -> int:
    """`peermatch seed-demo [--reset]`: create the demo data (after deleting the demo
    people's, with --reset) and print how to log in."""
    engine = make_engine(get_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            removed = reset(session=session) if reset_first else 0
            created = seed(session=session)
    except (OperationalError, ProgrammingError):
        print(
            "peermatch seed-demo: the database is not migrated; run `alembic upgrade head`",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    if reset_first:
        print(f"demo people removed: {removed} accounts")
    print(
        "demo data "
        + ("created" if created else "already present (`peermatch seed-demo --reset` renews it)")
        + f" in organization '{DEMO_ORGANIZATION}':"
    )
    print(f"  coordinator  {COORDINATOR[0]}  password {COORDINATOR[1]}")
    print(f"  mentee       {MENTEE[0]}  password {MENTEE[1]}")
    print(f"  mentor       {MENTOR[0]}  password {MENTOR[1]}")
    print(f"  (and mentor2..{len(MENTORS)}, mentee2..13 with the same passwords)")
    return 0
