"""Every task the outbox queues or beat schedules has a worker task that answers it."""

from __future__ import annotations

from services.core.matching.reconcile import RECONCILE_TASK
from services.core.matching.service import MATCH_PROFILE_TASK, RUN_TASK
from services.core.notifications import SEND_TASK


def test_every_queued_and_scheduled_task_name_is_registered() -> None:
    from workers.app import app

    app.loader.import_default_modules()  # the `include`d task modules, as a worker does
    queued = {MATCH_PROFILE_TASK, RUN_TASK, SEND_TASK}
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert RECONCILE_TASK in scheduled
    missing = (queued | scheduled) - set(app.tasks)
    assert not missing, f"no worker task answers {sorted(missing)}"
