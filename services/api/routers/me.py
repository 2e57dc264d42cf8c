"""The caller's own account and profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from services.api.deps import (
    ClientAddress,
    CurrentUser,
    Now,
    ReaderDep,
    SessionDep,
    SettingsDep,
    TokenClaimsDep,
    member_read,
)
from services.api.responses import answer
from services.api.routers.auth import NOT_LOGGED_IN, TOO_MANY, too_many
from services.core.accounts import limits, sessions
from services.core.accounts import views as account_views
from services.core.accounts.schemas import AccountPublic, PasswordChange, Problem
from services.core.introductions import responsiveness, withdrawal
from services.core.models import ProfileRole
from services.core.profiles import service as profiles
from services.core.profiles import views as profile_views
from services.core.profiles.schemas import (
    MenteeProfileIn,
    MenteeProfilePublic,
    MentorProfileIn,
    MentorProfilePublic,
    ProfilePublic,
)

router = APIRouter(prefix="/me", tags=["me"])
NO_PROFILE: dict[int | str, dict[str, Any]] = {404: {"description": "You have no such profile"}}


@router.get("", response_model=AccountPublic, responses=NOT_LOGGED_IN)
async def read_me(session: SessionDep, claims: TokenClaimsDep) -> Response:
    """Your account, with the privacy notice you accepted and when."""
    return await member_read(session, claims, lambda user: answer(account_views.to_public(user)))


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **NOT_LOGGED_IN,
        403: {"model": Problem, "description": "The current password is not right"},
        **TOO_MANY,
    },
)
def change_password(
    body: PasswordChange,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    client: ClientAddress,
    now: Now,
) -> Response:
    """Change your password; every token issued before, this one included, stops working."""
    try:
        changed = sessions.change_password(
            session=session,
            settings=settings,
            user=user,
            current_password=body.current_password,
            new_password=body.new_password,
            client=client,
            now=now,
        )
    except limits.TooManyAttempts as error:
        return too_many(error)
    if not changed:
        # Answered, not raised: the failed attempt just counted must be committed.
        return JSONResponse(
            {"detail": "Your current password is not right."},
            status_code=status.HTTP_403_FORBIDDEN,
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _saved(
    session: SessionDep,
    reader: ReaderDep,
    user: CurrentUser,
    role: ProfileRole,
    body: MenteeProfileIn | MentorProfileIn,
    response: Response,
) -> ProfilePublic:
    saved = profiles.save(session=session, user=user, role=role, body=body)
    response.status_code = status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK
    # Why a mentee still waits asks the engine about the organization's mentors (encoded
    # once per process, `MENTOR_INDEXES`; still milliseconds). Committed first, it is worked
    # out in a read-only snapshot that already holds the save, so the write (on SQLite the
    # one write lock every writer queues for, the worker's matching included) is not held.
    session.commit()
    return profile_views.to_public(session=reader, profile=saved.profile, with_status=True)


@router.put(
    "/mentee-profile",
    response_model=MenteeProfilePublic,
    responses={201: {"model": MenteeProfilePublic, "description": "Created"}},
)
def put_mentee_profile(
    body: MenteeProfileIn,
    session: SessionDep,
    reader: ReaderDep,
    user: CurrentUser,
    response: Response,
) -> ProfilePublic:
    """Create (201) or replace (200) your mentee profile."""
    return _saved(session, reader, user, ProfileRole.mentee, body, response)


@router.get("/mentee-profile", response_model=MenteeProfilePublic, responses=NO_PROFILE)
def get_mentee_profile(session: SessionDep, user: CurrentUser) -> ProfilePublic:
    """Your mentee profile; while you wait, `matching_status` says why and what would help."""
    profile = profiles.get_own(session=session, user=user, role=ProfileRole.mentee)
    return profile_views.to_public(session=session, profile=profile, with_status=True)


@router.delete("/mentee-profile", status_code=status.HTTP_204_NO_CONTENT, responses=NO_PROFILE)
def delete_mentee_profile(session: SessionDep, user: CurrentUser) -> None:
    """Withdraw your mentee profile; what you wrote is deleted."""
    withdrawal.withdraw(session=session, user=user, role=ProfileRole.mentee)


@router.put(
    "/mentor-profile",
    response_model=MentorProfilePublic,
    responses={201: {"model": MentorProfilePublic, "description": "Created"}},
)
def put_mentor_profile(
    body: MentorProfileIn,
    session: SessionDep,
    reader: ReaderDep,
    user: CurrentUser,
    response: Response,
) -> ProfilePublic:
    """Create (201) or replace (200) your mentor profile; new mentors await vetting."""
    return _saved(session, reader, user, ProfileRole.mentor, body, response)


@router.get("/mentor-profile", response_model=MentorProfilePublic, responses=NO_PROFILE)
def get_mentor_profile(session: SessionDep, user: CurrentUser) -> ProfilePublic:
    """Your mentor profile."""
    profile = profiles.get_own(session=session, user=user, role=ProfileRole.mentor)
    return profile_views.to_public(session=session, profile=profile)


@router.delete("/mentor-profile", status_code=status.HTTP_204_NO_CONTENT, responses=NO_PROFILE)
def delete_mentor_profile(session: SessionDep, user: CurrentUser) -> None:
    """Withdraw your mentor profile; what you wrote is deleted."""
    withdrawal.withdraw(session=session, user=user, role=ProfileRole.mentor)


@router.post("/mentor-profile/pause", response_model=MentorProfilePublic, responses=NO_PROFILE)
def pause_mentor_profile(session: SessionDep, user: CurrentUser) -> ProfilePublic:
    """Take a break from new introductions (for your own recovery, or any reason); the
    mentorships you have carry on. Resume whenever you are ready."""
    profile = profiles.get_own(session=session, user=user, role=ProfileRole.mentor)
    responsiveness.pause_own(session=session, mentor=profile, paused=True)
    return profile_views.to_public(session=session, profile=profile)


@router.post("/mentor-profile/resume", response_model=MentorProfilePublic, responses=NO_PROFILE)
def resume_mentor_profile(session: SessionDep, user: CurrentUser) -> ProfilePublic:
    """Take new introductions again after your own pause."""
    profile = profiles.get_own(session=session, user=user, role=ProfileRole.mentor)
    responsiveness.pause_own(session=session, mentor=profile, paused=False)
    return profile_views.to_public(session=session, profile=profile)
