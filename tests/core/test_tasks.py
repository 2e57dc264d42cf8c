"""Every task the outbox queues or beat schedules has a worker task that answers it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.core import task_names
from services.core.db import make_engine, make_session_factory
from services.core.models import OutboxMessage
from services.core.outbox import enqueue
from services.core.task_names import (
    MATCH_PROFILE_TASK,
    MODEL_REFIT_ALL_TASK,
    MODEL_REFIT_TASK,
    PRUNE_ACCESS_LOG_TASK,
    RECONCILE_TASK,
    REMIND_TASK,
    RUN_TASK,
    SEND_TASK,
)
from tests.conftest import migrate


def test_every_queued_and_scheduled_task_name_is_registered() -> None:
    from workers.app import app

    app.loader.import_default_modules()  # the `include`d task modules, as a worker does
    queued = {MATCH_PROFILE_TASK, RUN_TASK, SEND_TASK, MODEL_REFIT_TASK}
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {RECONCILE_TASK, REMIND_TASK, PRUNE_ACCESS_LOG_TASK, MODEL_REFIT_ALL_TASK} <= scheduled
    missing = (queued | scheduled) - set(app.tasks)
    assert not missing, f"no worker task answers {sorted(missing)}"


def test_every_named_task_is_registered() -> None:
    from workers.app import app

    app.loader.import_default_modules()
    names = {value for key, value in vars(task_names).items() if key.endswith("_TASK")}
    assert len(names) == 11
    assert names <= set(app.tasks), sorted(names - set(app.tasks))


def test_a_unit_relays_only_when_it_queued_work(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A task that queued nothing takes no extra write turn to relay; one that queued, does."""
    from workers import db as worker_db

    url = f"sqlite:///{tmp_path / 'peermatch.db'}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    monkeypatch.setattr(worker_db, "session_factory", lambda: factory)
    relays: list[int] = []
    monkeypatch.setattr(worker_db, "relay", lambda: relays.append(1))

    def reads(*, session: Session) -> int:
        return len(session.scalars(select(OutboxMessage)).all())

    def queues(*, session: Session) -> int:
        enqueue(session=session, task=task_names.RELAY_TASK)
        return 1

    assert worker_db.unit(reads) == 0
    assert relays == []
    assert worker_db.unit(queues) == 1
    assert relays == [1]
    assert worker_db.unit(reads) == 1  # the message was committed, waiting for the relay
    assert relays == [1]
