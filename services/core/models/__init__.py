"""The relational model, one module per domain; import from here."""

from services.core.models import safety  # noqa: F401  (registers its tables)
from services.core.models.accounts import Organization, User
from services.core.models.introductions import Introduction, IntroductionEvent, PairExclusion
from services.core.models.learning import ModelVersion
from services.core.models.operations import MatchingRun, Notification, OutboxMessage
from services.core.models.profiles import Profile
from services.core.vocabulary import (
    HOLDING_STATUSES,
    OPEN_STATUSES,
    ActorRole,
    Answer,
    IntroductionSource,
    IntroductionStatus,
    MatchingRunStatus,
    ProfileRole,
    Role,
    VettingStatus,
)

__all__ = [
    "HOLDING_STATUSES",
    "OPEN_STATUSES",
    "ActorRole",
    "Answer",
    "Introduction",
    "IntroductionEvent",
    "IntroductionSource",
    "IntroductionStatus",
    "MatchingRun",
    "MatchingRunStatus",
    "ModelVersion",
    "Notification",
    "Organization",
    "OutboxMessage",
    "PairExclusion",
    "Profile",
    "ProfileRole",
    "Role",
    "User",
    "VettingStatus",
]
