"""Schemathesis against the app's live OpenAPI document, as a member and as a coordinator:
no 5xx, no response that breaks its own schema, no status the document does not declare.

Every example gets a freshly minted token, so that an operation which revokes its caller's
token (logout, a new password) leaves the next example logged in; the abuse limits are set
high so that the fuzzer measures the contract, not the limiter (tests/api/
test_accounts_security.py proves the limits).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.core.accounts.security import create_access_token, hash_password
from services.core.accounts.service import create_coordinator
from services.core.db import transaction
from services.core.models import Role, User
from services.core.settings import Settings
from tests.conftest import PASSWORD, TEST_SECRET

EXAMPLES = 10
REQUEST_TIMEOUT_SECONDS = 60
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


@pytest.fixture
def settings_for_fuzz(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        secret_key=TEST_SECRET,
        default_organization="demo",
        outbox_relay=False,
        mail_dir=tmp_path / "mail",
        login_failure_limit=1_000_000,
        auth_client_limit=1_000_000,
    )


@pytest.fixture
def settings(settings_for_fuzz: Settings) -> Settings:
    """The conftest's app fixture builds on these."""
    return settings_for_fuzz


@pytest.fixture
def people(app: FastAPI, client: Any) -> dict[str, User]:
    """A member and a coordinator of the demo organization."""
    with transaction(app.state.session_factory) as session:
        boss = create_coordinator(
            session=session, email="boss@example.org", password=PASSWORD, organization="demo"
        )
        member = User(
            email="member@example.org",
            password_hash=hash_password(PASSWORD),
            display_name="Member",
            role=Role.member,
            organization_id=boss.organization_id,
        )
        session.add(member)
        session.flush()
        session.expunge_all()
    return {"coordinator": boss, "member": member}


def _token(user: User) -> str:
    return create_access_token(user.id, secret=TEST_SECRET, minutes=5, version=user.token_version)


def _fuzz(operation: Any, mode: GenerationMode, people: dict[str, User]) -> tuple[int, list[str]]:
    """Run one operation's examples in one mode; returns cases run and failures seen."""
    runs: list[int] = []
    failures: list[str] = []

    @given(case=operation.as_strategy(mode))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any) -> None:
        for user in people.values():  # the same request, as a member and as a coordinator
            runs.append(1)
            try:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {_token(user)}"},
                    checks=CHECKS,
                    # A hang guard, not a timing: on CI's shared cores, beside two other test
                    # processes, one PostgreSQL case once took over schemathesis's 10 s.
                    timeout=REQUEST_TIMEOUT_SECONDS,
                )
            except (Exception, BaseExceptionGroup) as failure:  # collected, then reported
                failures.append(f"{operation.label} as {user.role}: {str(failure)[:400]}")

    # An operation without inputs has no negative examples: nothing to break in that mode.
    with contextlib.suppress(Unsatisfiable):
        run()
    return len(runs), failures


def test_every_operation_keeps_its_contract(app: FastAPI, people: dict[str, User]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    cases = 0
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            ran, failed = _fuzz(operation, mode, people)
            cases += ran
            failures += failed
    print(f"schemathesis: {len(operations)} operations, {cases} cases, {len(failures)} failures")
    assert len(operations) > 20, "the whole document was read"
    assert failures == []
