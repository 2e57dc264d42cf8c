"""Every task the outbox queues or beat schedules has a worker task that answers it."""

from __future__ import annotations

from services.core import task_names
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
