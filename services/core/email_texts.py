"""What each email says and where it sends the reader, one entry per kind.

Plain, kind and discreet: a subject never names recovery, a fellowship or a person, and no
email carries a name, an alias or anything a member wrote, because a mailbox is not always
private. Each links to the page where the reader acts, at `PUBLIC_URL`.
"""

from __future__ import annotations

from dataclasses import dataclass

INTRODUCTIONS = "/introductions"
APPROVALS = "/coordinator"
VETTING = "/coordinator/mentors"
MENTOR_PROFILE = "/profile/mentor"
RESET_PASSWORD = "/reset-password"


@dataclass(frozen=True)
class EmailText:
    """One kind of email: its subject, its first paragraph, and the page to act on."""

    subject: str
    body: str
    path: str
    action: str


TEXTS: dict[str, EmailText] = {
    "proposed": EmailText(
        "You have a new introduction to consider",
        "PeerMatch found someone who may be a good fit for you. Have a look when you are\n"
        "ready, and say yes or no: there is no wrong answer.",
        INTRODUCTIONS,
        "Read it and answer",
    ),
    "partner_accepted": EmailText(
        "Someone said yes to your introduction",
        "The other person said yes to the introduction you were sent. It is your turn to\n"
        "answer, whenever you are ready.",
        INTRODUCTIONS,
        "Read it and answer",
    ),
    "awaiting_approval": EmailText(
        "You both said yes",
        "You both said yes to your introduction. A coordinator will look at it soon, and\n"
        "we will email you again when they have.",
        INTRODUCTIONS,
        "See where it stands",
    ),
    "active": EmailText(
        "Approved: you can now contact each other",
        "A coordinator approved your introduction. You can now see each other's contact\n"
        "details and get in touch.",
        INTRODUCTIONS,
        "See the contact details",
    ),
    "expiring": EmailText(
        "An introduction is waiting for your answer",
        "An introduction you were sent is waiting for your answer, and it closes tomorrow.\n"
        "Yes and no are both fine answers; either one helps.",
        INTRODUCTIONS,
        "Answer now",
    ),
    "declined": EmailText(
        "An introduction was declined",
        "An introduction you were part of was declined. That happens, and it says nothing\n"
        "about you. If you are waiting for a match, PeerMatch keeps looking.",
        INTRODUCTIONS,
        "See your introductions",
    ),
    "rejected": EmailText(
        "An introduction was not approved",
        "A coordinator did not approve an introduction you were part of. If you are\n"
        "waiting for a match, PeerMatch keeps looking.",
        INTRODUCTIONS,
        "See your introductions",
    ),
    "expired": EmailText(
        "An introduction closed without an answer",
        "An introduction you were part of closed because it was not answered in time.\n"
        "If you are waiting for a match, PeerMatch keeps looking.",
        INTRODUCTIONS,
        "See your introductions",
    ),
    "ended": EmailText(
        "A mentorship has ended",
        "A mentorship you were part of has ended. If you are waiting for a match,\n"
        "PeerMatch keeps looking.",
        INTRODUCTIONS,
        "See your introductions",
    ),
    "approval_needed": EmailText(
        "An introduction is waiting for your approval",
        "Two people in your organization said yes to an introduction. It is waiting for a\n"
        "coordinator to approve or reject it.",
        APPROVALS,
        "Open the approval queue",
    ),
    "mentor_applied": EmailText(
        "A mentor profile is waiting for review",
        "A member of your organization offered to mentor, or changed what a coordinator\n"
        "had checked. Their profile is waiting for review.",
        VETTING,
        "Open mentor vetting",
    ),
    "mentor_held": EmailText(
        "A mentor was paused after unanswered introductions",
        "Two introductions in a row to one of your organization's mentors closed without\n"
        "an answer, so PeerMatch stopped sending them new ones. The people they were\n"
        "introduced to are being matched again. You can resume the mentor from the list.",
        VETTING,
        "Open the mentor list",
    ),
    "held": EmailText(
        "Your mentor profile is paused for now",
        "Two introductions sent to you closed without an answer, so we have paused new\n"
        "introductions for now. Your current mentorships carry on. A coordinator can turn\n"
        "new introductions back on when you are ready.",
        MENTOR_PROFILE,
        "See your mentor profile",
    ),
    "mentor_approved": EmailText(
        "Your mentor application was approved",
        "A coordinator approved your mentor profile. PeerMatch will now send you\n"
        "introductions when someone may be a good fit.",
        MENTOR_PROFILE,
        "See your mentor profile",
    ),
    "mentor_not_approved": EmailText(
        "About your mentor application",
        "A coordinator looked at your mentor profile and did not approve it this time.\n"
        "Your profile page may have a note from them.",
        MENTOR_PROFILE,
        "See your mentor profile",
    ),
    "registration_attempt": EmailText(
        "About your account",
        "Someone just tried to create a PeerMatch account with this email address, which\n"
        "already has one. Nothing was changed. If it was you, you can log in as usual, or\n"
        "choose a new password if you have forgotten it. If it was not you, you do not need\n"
        "to do anything.",
        RESET_PASSWORD,
        "Choose a new password",
    ),
}
FALLBACK = EmailText(
    "An update for you",
    "There is news for you on PeerMatch.",
    INTRODUCTIONS,
    "Log in to read it",
)
FOOTER = "You receive this because you have an account on PeerMatch."


def compose(*, kind: str, public_url: str) -> tuple[str, str]:
    """The subject and body of one kind of email, with its link at `public_url`."""
    text = TEXTS.get(kind, FALLBACK)
    body = f"{text.body}\n\n{text.action}: {public_url.rstrip('/')}{text.path}\n\n{FOOTER}\n"
    return f"PeerMatch: {text.subject}", body


def password_reset(*, public_url: str, token: str, minutes: int) -> tuple[str, str]:
    """The subject and body of a single-use link to choose a new password."""
    body = (
        "Someone (we hope you) asked to choose a new password for your PeerMatch account.\n\n"
        f"Choose a new password here: {public_url.rstrip('/')}{RESET_PASSWORD}?token={token}\n\n"
        f"The link works once, for {minutes} minutes. Choosing a new password logs you out\n"
        "everywhere.\n\n"
        "If you did not ask for this, you do not need to do anything: your password stays\n"
        f"as it is.\n\n{FOOTER}\n"
    )
    return "PeerMatch: choose a new password", body
