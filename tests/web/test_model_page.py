"""The coordinators' model page: what scores proposals, the versions, a refit, going back."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sqlalchemy import select

from services.core.matching import learning
from services.core.models import User
from services.core.models.learning import ModelVersion
from services.matcher.learned import MODEL_FEATURES, LearnedModel
from services.web.pages.model import FEATURE_WORDS
from tests.conftest import PASSWORD
from tests.web.conftest import WebUser, words

FIGURES = {
    "model": {"auc": 0.75, "log_loss": 0.57, "ranked_first": 0.4},
    "hand": {"auc": 0.65, "log_loss": 0.64, "ranked_first": 0.3},
    "beats_hand": True,
}


def _coordinator(browser: Callable[[], WebUser], db: Callable[[], object]) -> tuple[WebUser, User]:
    from services.core.accounts.service import create_coordinator

    with db() as session:  # type: ignore[attr-defined]
        create_coordinator(
            session=session, email="coord@example.org", password=PASSWORD, organization="demo"
        )
    web = browser()
    web.log_in("coord@example.org")
    with db() as session:  # type: ignore[attr-defined]
        user = session.scalar(select(User).where(User.email == "coord@example.org"))
    return web, user


def _store_version(db: Callable[[], object], user: User, number: int) -> None:
    n = len(MODEL_FEATURES)
    model = LearnedModel(
        features=MODEL_FEATURES,
        mean=np.zeros(n),
        scale=np.ones(n),
        coef=np.linspace(-1, 1.5, n),
        intercept=-1.0,
        figures=FIGURES,
        training_size=120,
    )
    with db() as session:  # type: ignore[attr-defined]
        session.add(
            ModelVersion(
                organization_id=user.organization_id,
                number=number,
                kind="logistic",
                params=model.as_dict(),
                figures=FIGURES,
                features=list(MODEL_FEATURES),
                training_size=120,
                active=False,
            )
        )


def test_every_learned_feature_has_words() -> None:
    assert set(MODEL_FEATURES) <= set(FEATURE_WORDS)


def test_the_page_shows_the_hand_weights_and_refuses_a_refit_without_outcomes(
    browser: Callable[[], WebUser], db: Callable[[], object]
) -> None:
    web, _user = _coordinator(browser, db)
    page = words(web.get("/coordinator/model"))
    assert "hand weights" in page and "Recovery pathway" in page
    refused = web.submit("/coordinator/model", "/coordinator/model/refit")
    assert refused.status_code == 409
    assert "Not enough outcomes to learn from yet" in words(refused)


def test_a_version_is_used_and_then_the_hand_weights_again(
    browser: Callable[[], WebUser], db: Callable[[], object]
) -> None:
    web, user = _coordinator(browser, db)
    _store_version(db, user, 1)
    page = words(web.get("/coordinator/model"))
    assert "Version 1" in page and "It predicted better than the hand weights" in page
    used = web.submit("/coordinator/model", "/coordinator/model/activate", {"version": "1"})
    assert used.status_code == 303
    with db() as session:  # type: ignore[attr-defined]
        active = learning.active_version(session=session, organization_id=user.organization_id)
        assert active is not None and active.number == 1
    page = words(web.get("/coordinator/model"))
    assert "scored by <strong>version 1</strong>" in page and "raises the chance" in page
    back = web.submit("/coordinator/model", "/coordinator/model/activate", {"version": "hand"})
    assert back.status_code == 303
    with db() as session:  # type: ignore[attr-defined]
        assert (
            learning.active_version(session=session, organization_id=user.organization_id) is None
        )
    unknown = web.submit("/coordinator/model", "/coordinator/model/activate", {"version": "7"})
    assert unknown.status_code == 404


def test_members_cannot_see_it(
    browser: Callable[[], WebUser], member: Callable[..., object]
) -> None:
    member(email="someone@example.org")
    web = browser()
    web.log_in("someone@example.org")
    assert web.get("/coordinator/model").status_code == 403
    assert browser().get("/coordinator/model").status_code == 303
