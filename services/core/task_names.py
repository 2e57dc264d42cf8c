"""The name of every task, in one place: what the outbox and beat queue, the workers answer.

A rename here renames both sides; `tests/core/test_tasks.py` checks every name is answered.
"""

MATCH_PROFILE_TASK = "matching.profile_saved"
RUN_TASK = "matching.run"
RUN_ALL_TASK = "matching.run_all"
RECONCILE_TASK = "matching.reconcile"
EXPIRE_TASK = "introductions.expire"
SEND_TASK = "notifications.send"
RELAY_TASK = "outbox.relay"
REMIND_TASK = "introductions.remind"
PRUNE_ACCESS_LOG_TASK = "safety.prune_access_log"
MODEL_REFIT_TASK = "model.refit"
MODEL_REFIT_ALL_TASK = "model.refit_all"
