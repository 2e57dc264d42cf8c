"""The Celery app: Redis in production, a database-backed broker on the embedded default.

Run a worker with its beat scheduler:  celery -A workers.app worker -B
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

from services.core.broker import celery_config
from services.core.logging import configure_logging
from services.core.settings import VAR_DIR, get_settings
from services.core.task_names import (
    EXPIRE_TASK,
    MODEL_REFIT_ALL_TASK,
    PRUNE_ACCESS_LOG_TASK,
    RECONCILE_TASK,
    RELAY_TASK,
    REMIND_TASK,
    RUN_ALL_TASK,
)
from workers.db import dispose_engine


def make_celery() -> Celery:
    """Build the worker's Celery app from the environment's settings."""
    settings = get_settings()
    app = Celery("peermatch", include=["workers.tasks"])
    app.conf.update(celery_config(settings.broker_url, settings.broker_visibility_timeout))
    app.conf.update(
        # A task is acknowledged only once it has run, and a worker killed mid-task gives it
        # back: safe because every task is idempotent.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        beat_schedule_filename=str(VAR_DIR / "celerybeat-schedule"),
        beat_schedule={
            "expire-proposals": {
                "task": EXPIRE_TASK,
                "schedule": timedelta(seconds=settings.expiry_check_seconds),
            },
            "batch-matching": {
                "task": RUN_ALL_TASK,
                "schedule": timedelta(minutes=settings.batch_matching_minutes),
            },
            "remind-proposals": {
                "task": REMIND_TASK,
                "schedule": timedelta(seconds=settings.expiry_check_seconds),
            },
            "prune-access-log": {"task": PRUNE_ACCESS_LOG_TASK, "schedule": timedelta(hours=1)},
            "refit-models": {
                "task": MODEL_REFIT_ALL_TASK,
                "schedule": timedelta(hours=settings.model_refit_hours),
            },
            "relay-outbox": {"task": RELAY_TASK, "schedule": timedelta(seconds=10)},
            "reconcile-waiting": {
                "task": RECONCILE_TASK,
                "schedule": timedelta(seconds=settings.reconcile_seconds),
            },
        },
    )
    configure_logging(settings.log_level)
    return app


app = make_celery()


@worker_process_init.connect
def _fresh_engine_after_fork(**_: Any) -> None:
    # A pooled connection inherited through fork() is shared with the parent: drop it.
    dispose_engine()


@worker_process_shutdown.connect
def _close_engine(**_: Any) -> None:
    dispose_engine()
