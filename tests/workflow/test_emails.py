"""Emails people can act on, through the outbox: who is told what, and where they act."""

from __future__ import annotations

from tests.mail import read_mails, send_owed
from tests.workflow.conftest import Cast


def _mails_to(cast: Cast, email: str) -> list[tuple[str, str]]:
    settings = cast.app.state.settings
    send_owed(cast.app.state.session_factory, settings)
    return [
        (str(mail["Subject"]), mail.get_payload(decode=True).decode())  # type: ignore[union-attr]
        for mail in read_mails(settings)
        if mail["To"] == email
    ]


def test_coordinators_are_told_of_a_mentor_applying_and_of_a_pair_to_approve(
    cast: Cast, coordinator
) -> None:  # type: ignore[no-untyped-def]
    public_url = cast.app.state.settings.public_url
    second = "second.coordinator@example.org"
    coordinator("demo", email=second)
    mentor = cast.mentor()
    applied = _mails_to(cast, second)
    assert len(applied) == 1
    assert f"{public_url}/coordinator/mentors" in applied[0][1]
    mentee = cast.mentee()
    [introduction_id] = cast.match(mentee)
    proposal = _mails_to(cast, mentee.email)
    assert any(f"{public_url}/introductions" in body for _, body in proposal)
    for person in (mentee, mentor):
        assert cast.act(person.headers, introduction_id, "accept").status_code == 200
    to_approve = _mails_to(cast, second)
    assert len(to_approve) == 2
    assert f"{public_url}/coordinator" in to_approve[1][1]
    # Discreet: nobody's alias or email is in what a mailbox shows.
    for subject, body in _mails_to(cast, second) + _mails_to(cast, mentee.email):
        for secret in (mentee.email, mentor.email, "River", "Oak"):
            assert secret not in subject and secret not in body
