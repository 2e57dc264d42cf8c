"""Command-line entry points for accounts (`peermatch create-coordinator`)."""

from __future__ import annotations

import sys

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

from services.core.accounts.service import create_coordinator
from services.core.db import make_engine, make_session_factory, transaction
from services.core.errors import DomainError
from services.core.settings import get_settings


def create_coordinator_command(
    *,
    email: str,
    password: str,
    organization: str,
    display_name: str,
    organization_name: str | None,
) -> int:
    """Create a coordinator and print its id; return a process exit code."""
    engine = make_engine(get_settings().database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            user = create_coordinator(
                session=session,
                email=email,
                password=password,
                organization=organization,
                display_name=display_name,
                organization_name=organization_name,
            )
            user_id = user.id
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"])
            print(f"peermatch create-coordinator: {field}: {problem['msg']}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"peermatch create-coordinator: {_describe(error)}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError):
        print(
            "peermatch create-coordinator: the database is not reachable or not migrated; "
            "run `alembic upgrade head` (or `make run`) first",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    print(f"coordinator {user_id} created in organization '{organization}'")
    return 0


def _describe(error: DomainError) -> str:
    if isinstance(error.detail, str):
        return error.detail
    return "; ".join(f"{item['field']}: {item['msg']}" for item in error.detail)
