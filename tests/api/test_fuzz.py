"""No body, however odd, makes the profile routes fail with a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import mentee_body, mentor_body

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # what JSON can carry
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
FIELDS = sorted(set(mentor_body()) | {"unknown"})


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    side=st.sampled_from(["mentee", "mentor"]),
    changes=st.dictionaries(st.sampled_from(FIELDS), JSON, min_size=1, max_size=4),
)
def test_odd_bodies_get_a_clear_answer(
    client: TestClient,
    member: Callable[..., dict[str, str]],
    side: str,
    changes: dict[str, Any],
) -> None:
    headers = _headers(client, member)
    body = (mentee_body() if side == "mentee" else mentor_body()) | changes
    response = client.put(f"/api/v1/me/{side}-profile", json=body, headers=headers)
    assert response.status_code in (200, 201, 422), response.text
    if response.status_code == 422:
        assert all(error["field"] for error in response.json()["detail"])


_member: list[tuple[TestClient, dict[str, str]]] = []


def _headers(client: TestClient, member: Callable[..., dict[str, str]]) -> dict[str, str]:
    # One member per test (hypothesis reuses its fixtures across examples): registering
    # costs an argon2 hash, and the examples don't need more than one account.
    if not _member or _member[0][0] is not client:
        _member[:] = [(client, member())]
    return _member[0][1]
