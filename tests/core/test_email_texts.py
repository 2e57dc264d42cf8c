"""Every email says what happened, links to where the reader acts, and names nothing."""

from __future__ import annotations

import pytest

from services.core import email_texts

URL = "https://peermatch.example.org"
# Words no subject may carry: recovery, a fellowship, sobriety (a mailbox is not private).
TELLING = ("recover", "sober", "addict", "fellowship", "alcohol", "narcotic", " aa", " na ")


@pytest.mark.parametrize("kind", sorted(email_texts.TEXTS))
def test_each_kind_links_to_its_page_and_stays_discreet(kind: str) -> None:
    subject, body = email_texts.compose(kind=kind, public_url=URL + "/")
    text = email_texts.TEXTS[kind]
    assert f"{URL}{text.path}\n" in body
    assert "/docs" not in body
    assert not any(word in f" {subject.lower()} " for word in TELLING)
    assert "{" not in body  # nothing left unfilled


def test_members_coordinators_and_mentors_are_sent_to_their_pages() -> None:
    paths = {kind: text.path for kind, text in email_texts.TEXTS.items()}
    assert paths["proposed"] == paths["active"] == paths["expiring"] == "/introductions"
    assert paths["approval_needed"] == "/coordinator"
    assert paths["mentor_applied"] == paths["mentor_held"] == "/coordinator/mentors"
    assert paths["mentor_approved"] == paths["mentor_not_approved"] == "/profile/mentor"


def test_the_reset_email_carries_its_link_once() -> None:
    subject, body = email_texts.password_reset(public_url=URL, token="abc_123", minutes=30)
    assert body.count(f"{URL}/reset-password?token=abc_123") == 1
    assert "recover" not in subject.lower()
