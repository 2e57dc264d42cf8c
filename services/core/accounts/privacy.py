"""The privacy notice a person accepts when registering (its version is a setting)."""

from __future__ import annotations

# Change this text only together with PRIVACY_NOTICE_VERSION: people accept a version.
PRIVACY_NOTICE_TEXT = """\
PeerMatch privacy notice

What we keep
- Your account: your email address, the name you choose to show, a scrambled form of your
  password (we cannot read it), your organization, and when you accepted this notice.
- Your profiles, if you make them: an alias, your pathways, the date your recovery began
  (for mentors), languages, the times you are free, interests, what you write about
  yourself, and roughly where you are. We round every place to about 1 km, so it is never
  your exact address.
- Your introductions: who was proposed to whom, each answer, and the reasons you give.
- A short-lived, scrambled count of failed logins, so that no one can guess passwords.
  It holds neither your email nor your internet address in readable form.

Who sees what, and when
- Before an introduction is active, the other person sees only your alias, pathways, time
  in recovery as a range (such as "5-10 years"), languages, an approximate distance, how
  your free times overlap, your interests and what you wrote about yourself.
- Only when both of you have accepted and a coordinator has approved do the two of you see
  each other's name and email address. No one else ever does through PeerMatch.
- Your organization's coordinators see profiles and introductions in their organization,
  so that they can vet mentors and keep people safe. Each time a coordinator reads your
  profile, an introduction or your contact details, it is written in your access log,
  which you can read at any time.
- We do not sell or share your information, and we show no advertising.

Your choices and rights
- You can change or withdraw your profiles at any time.
- You can download everything we hold about you (GET /me/export).
- You can delete your account (DELETE /me). Your account, profiles, what you wrote and
  your location are then erased. Counts kept for statistics do not name you.
- Emails from PeerMatch never mention recovery, because a mailbox is not always private.

If you are in crisis, you do not have to wait for a match: in the United States call or text
988 (Suicide & Crisis Lifeline), or call the SAMHSA National Helpline at 1-800-662-4357
(free, confidential, 24 hours a day).
"""
