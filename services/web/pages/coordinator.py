"""Pages for coordinators: the approval queue, mentor vetting, the waiting list with matching
runs and manual proposals, reports, and the dashboard with its charts.

Each page calls the services the API's coordinator routes call, with the same arguments, so
a coordinator sees here exactly what the API shows them; the pages that read members'
profiles, introductions or contact details record it in those members' access logs, as the
API's routes do (`@records_reads`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from services.api.deps import Limit, Offset, SessionDep, SettingsDep, records_reads
from services.core.errors import Conflict, DomainError, InvalidInput
from services.core.introductions import manual, responsiveness, stats, transitions, trends, views
from services.core.introductions.schemas import ManualProposal, NoteIn
from services.core.matching import runs
from services.core.matching import views as matching_views
from services.core.matching.schemas import MatchingRunPublic
from services.core.models import IntroductionStatus, Profile, User, VettingStatus
from services.core.profiles import service as profiles
from services.core.profiles import views as profile_views
from services.core.profiles.schemas import VettingDecision
from services.core.safety import service as safety
from services.core.safety import support
from services.core.safety import views as safety_views
from services.core.safety.schemas import ResolveIn, SupportResourcesIn
from services.core.vocabulary import DeclineReason, EndReason, ReportStatus
from services.web import charts
from services.web.forms import Errors, field_errors
from services.web.render import WebRoute, go, page
from services.web.session import Coordinator, Csrf
from services.web.words import pathway_words, strength

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FormText = Annotated[str, Form()]
PAGE_SIZE = 20
# The dashboard's periods: at most a year of months or ten weeks, at least four.
MIN_PERIODS = 4

NOTICES = {
    "approved": "Approved. The two of them can now see each other's name and email.",
    "rejected": "Not approved. The introduction has left the queue.",
    "mentor-approved": "The mentor is approved and can be matched.",
    "mentor-approved-waits": (
        "The mentor is approved. They can't be matched yet: the reason is on their card."
    ),
    "mentor-rejected": "The mentor was not approved.",
    "resumed": "The hold is lifted: the mentor gets new introductions again.",
    "run-queued": (
        "Matching is under way. New proposals appear on the people's pages within a minute or so."
    ),
    "proposed": "Your proposal is made. Both people are asked whether they would like it.",
    "resolved": "The report is resolved, with your note.",
    "support-saved": "Saved. Your members now see these on the Crisis support page.",
}
OUTCOME_WORDS = {
    "proposed": "Waiting for answers",
    "awaiting_approval": "Awaiting approval",
    "active": "Active",
    "ended": "Ended",
    "declined": "Declined",
    "rejected": "Not approved",
    "expired": "Expired",
}
# Stacking order: how things went, then what is still open.
OUTCOME_ORDER = (
    "active",
    "ended",
    "declined",
    "rejected",
    "expired",
    "awaiting_approval",
    "proposed",
)
DECLINE_WORDS = {
    DeclineReason.schedule.value: "Schedule",
    DeclineReason.distance.value: "Distance",
    DeclineReason.not_a_fit.value: "Not a fit",
    DeclineReason.personal.value: "Personal reasons",
    DeclineReason.other.value: "Other or not given",
}
END_WORDS = {
    EndReason.goals_met.value: "Goals met",
    EndReason.schedule.value: "Schedule",
    EndReason.lost_contact.value: "Lost contact",
    EndReason.not_a_fit.value: "Not a fit",
    EndReason.moved.value: "Moved",
    EndReason.safety.value: "Safety",
    EndReason.other.value: "Other or not given",
}
CATEGORY_WORDS = {
    "harassment": "Harassment",
    "safety": "Safety",
    "inappropriate": "Inappropriate behaviour",
    "spam": "Spam",
    "other": "Something else",
}
RULE_WORDS = {
    "pathway": "They share no recovery pathway, nor one of the same family.",
    "gender": "One of them asked for someone of another gender.",
    "language": "They have no language in common.",
    "recovery_time": (
        "The mentor has too little time in recovery, or not enough more than the mentee."
    ),
    "meeting_format": "One wants to meet only in person, the other only online.",
    "distance": "They live too far apart to meet in person.",
    "schedule": "Their free times do not overlap enough.",
    "excluded": (
        "They are kept apart: one declined or blocked the other before, or a coordinator "
        "excluded the pair."
    ),
    "same_person": "They are the same person.",
    "eligibility": "The mentor is not approved yet, or is paused or on hold.",
    "capacity": "The mentor has no free place.",
    "mentee_has_open_introduction": "The mentee already has an introduction in progress.",
}
RUN_WORDS = {
    "queued": "waiting to start",
    "running": "under way",
    "succeeded": "finished",
    "failed": "stopped before it finished; you can run it again",
}
MEETING_WORDS = {"in_person": "In person", "online": "Online", "either": "In person or online"}
VETTING_WORDS = {
    "pending": "Waiting for vetting",
    "approved": "Approved",
    "rejected": "Not approved",
}


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def fit_words(score: float) -> str:
    """An introduction's overall fit in words, with the number for coordinators."""
    return f"{strength(score).capitalize()} ({score:.2f} out of 1)"


def hours_words(hours: float | None) -> str:
    """A median answering time in words."""
    if hours is None:
        return "no answers yet"
    if hours < 1:
        return "within an hour"
    if hours < 48:
        return f"about {round(hours)} hours"
    return f"about {round(hours / 24)} days"


def pathways_text(pathways: Sequence[object]) -> str:
    """Pathways as their fellowships write them."""
    return ", ".join(pathway_words(p) for p in pathways) or "none given"


def _pager(request: Request, *, total: int, limit: int, offset: int) -> dict[str, str | int | None]:
    def link(at: int) -> str:
        query = {k: v for k, v in request.query_params.items() if k not in ("done", "offset")}
        return f"{request.url.path}?{urlencode({**query, 'limit': limit, 'offset': at})}"

    return {
        "total": total,
        "first": offset + 1 if total else 0,
        "last": min(offset + limit, total),
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
    }


def _words() -> dict[str, Any]:
    return {
        "fit_words": fit_words,
        "hours_words": hours_words,
        "pathways_text": pathways_text,
        "meeting_words": MEETING_WORDS,
        "vetting_words": VETTING_WORDS,
        "category_words": CATEGORY_WORDS,
        "rule_words": RULE_WORDS,
    }


# The approval queue


def _queue(
    request: Request,
    session: Session,
    coordinator: User,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    status_code: int = 200,
    alert: str | None = None,
    errors: dict[str, Errors] | None = None,
    notes: dict[str, str] | None = None,
) -> Response:
    listing = views.list_for_coordinator(
        session=session,
        user=coordinator,
        status=IntroductionStatus.awaiting_approval,
        limit=limit,
        offset=offset,
    )
    present = views.presenter(session=session, viewings=listing.items)
    introductions = [present(viewing) for viewing in listing.items]
    waiting = trends.awaiting_approval_since(
        session=session, introduction_ids=[i.id for i in introductions]
    )
    return page(
        request,
        "coordinator_queue.html",
        status_code=status_code,
        title="Approval queue",
        notice=_notice(request),
        alert=alert,
        introductions=introductions,
        waiting=waiting,
        pager=_pager(request, total=listing.total, limit=limit, offset=offset),
        errors=errors or {},
        notes=notes or {},
        **_words(),
    )


@router.get("/coordinator")
@records_reads
def approval_queue(
    request: Request,
    session: SessionDep,
    coordinator: Coordinator,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> Response:
    return _queue(request, session, coordinator, limit=limit, offset=offset)


def _decide(
    request: Request,
    session: Session,
    coordinator: User,
    introduction_id: uuid.UUID,
    note: str,
    decide: Callable[..., transitions.Viewing],
    notice: str,
) -> Response:
    key = str(introduction_id)
    try:
        body = NoteIn(note=note or None)
    except ValidationError as error:
        return _queue(
            request,
            session,
            coordinator,
            status_code=422,
            errors={key: field_errors(error)},
            notes={key: note},
        )
    try:
        decide(session=session, user=coordinator, introduction_id=introduction_id, note=body.note)
    except Conflict as conflict:
        session.rollback()
        return _queue(
            request, session, coordinator, status_code=409, alert=_conflict_words(conflict)
        )
    return go("/coordinator", notice=notice)


def _conflict_words(conflict: Conflict) -> str:
    if "full" in str(conflict.detail):
        return (
            "This mentor has no free place right now, so the introduction can't be approved "
            "yet. It stays in the queue: you can approve it once a place frees up, or reject "
            "it so the mentee can be matched with someone else."
        )
    return (
        "Someone else has decided on this introduction already, so nothing was changed. "
        "The queue below is up to date."
    )


@router.post("/coordinator/introductions/{introduction_id}/approve", dependencies=[Csrf])
def approve_introduction(
    request: Request,
    introduction_id: uuid.UUID,
    session: SessionDep,
    coordinator: Coordinator,
    note: FormText = "",
) -> Response:
    return _decide(
        request, session, coordinator, introduction_id, note, transitions.approve, "approved"
    )


@router.post("/coordinator/introductions/{introduction_id}/reject", dependencies=[Csrf])
def reject_introduction(
    request: Request,
    introduction_id: uuid.UUID,
    session: SessionDep,
    coordinator: Coordinator,
    note: FormText = "",
) -> Response:
    return _decide(
        request, session, coordinator, introduction_id, note, transitions.reject, "rejected"
    )


# Mentors and vetting

MENTOR_LIST = 100


def _mentor_cards(
    session: Session, coordinator: User, listed: Sequence[Profile]
) -> list[dict[str, Any]]:
    present = profile_views.applicant_presenter(
        session=session, coordinator=coordinator, profiles=listed
    )
    cards = []
    for profile in listed:
        warnings = (
            profile_views.matching_warnings(profile)
            if profile.vetting_status != VettingStatus.rejected
            else []
        )
        cards.append({"mentor": present(profile), "warnings": warnings})
    return cards


def _mentors(
    request: Request,
    session: Session,
    coordinator: User,
    *,
    offset: int = 0,
    status_code: int = 200,
    errors: dict[str, Errors] | None = None,
    notes: dict[str, str] | None = None,
) -> Response:
    pending = profiles.list_org_mentors(
        session=session,
        organization_id=coordinator.organization_id,
        vetting_status=VettingStatus.pending,
        limit=MENTOR_LIST,
        offset=0,
    )
    approved = profiles.list_org_mentors(
        session=session,
        organization_id=coordinator.organization_id,
        vetting_status=VettingStatus.approved,
        limit=PAGE_SIZE,
        offset=offset,
    )
    rejected = profiles.list_org_mentors(
        session=session,
        organization_id=coordinator.organization_id,
        vetting_status=VettingStatus.rejected,
        limit=MENTOR_LIST,
        offset=0,
    )
    return page(
        request,
        "coordinator_mentors.html",
        status_code=status_code,
        title="Mentors",
        notice=_notice(request),
        pending=_mentor_cards(session, coordinator, pending.items),
        pending_total=pending.total,
        approved=_mentor_cards(session, coordinator, approved.items),
        approved_pager=_pager(request, total=approved.total, limit=PAGE_SIZE, offset=offset),
        rejected=_mentor_cards(session, coordinator, rejected.items),
        rejected_total=rejected.total,
        errors=errors or {},
        notes=notes or {},
        **_words(),
    )


@router.get("/coordinator/mentors")
@records_reads
def mentors(
    request: Request, session: SessionDep, coordinator: Coordinator, offset: Offset = 0
) -> Response:
    return _mentors(request, session, coordinator, offset=offset)


@router.post("/coordinator/mentors/{profile_id}/vetting", dependencies=[Csrf])
def vet_mentor(
    request: Request,
    profile_id: uuid.UUID,
    session: SessionDep,
    coordinator: Coordinator,
    decision: FormText = "",
    note: FormText = "",
) -> Response:
    key = str(profile_id)
    try:
        body = VettingDecision.model_validate({"decision": decision, "note": note or None})
    except ValidationError as error:
        return _mentors(
            request,
            session,
            coordinator,
            status_code=422,
            errors={key: field_errors(error)},
            notes={key: note},
        )
    profile = profiles.vet_mentor(
        session=session,
        coordinator=coordinator,
        profile_id=profile_id,
        decision=VettingStatus(body.decision),
        note=body.note,
    )
    if profile.vetting_status == VettingStatus.rejected:
        return go("/coordinator/mentors", notice="mentor-rejected")
    outcome = profile_views.vetting_outcome(
        session=session, coordinator=coordinator, profile=profile
    )
    return go(
        "/coordinator/mentors",
        notice="mentor-approved-waits" if outcome.warnings else "mentor-approved",
    )


@router.post("/coordinator/mentors/{profile_id}/resume", dependencies=[Csrf])
def resume_mentor(profile_id: uuid.UUID, session: SessionDep, coordinator: Coordinator) -> Response:
    responsiveness.resume(session=session, coordinator=coordinator, profile_id=profile_id)
    return go("/coordinator/mentors", notice="resumed")


# The waiting list, matching runs and manual proposals


def _waiting(
    request: Request,
    session: Session,
    coordinator: User,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    status_code: int = 200,
    alert: str | None = None,
    broken: Sequence[str] = (),
    chosen: dict[str, str] | None = None,
    errors: Errors | None = None,
    run: MatchingRunPublic | None = None,
) -> Response:
    listing = profiles.list_waiting_mentees(
        session=session, organization_id=coordinator.organization_id, limit=limit, offset=offset
    )
    present = profile_views.waiting_presenter(
        session=session, coordinator=coordinator, profiles=listing.items, now=datetime.now(UTC)
    )
    mentors = profiles.list_org_mentors(
        session=session,
        organization_id=coordinator.organization_id,
        vetting_status=VettingStatus.approved,
        limit=MENTOR_LIST,
        offset=0,
    )
    return page(
        request,
        "coordinator_waiting.html",
        status_code=status_code,
        title="Waiting list",
        notice=_notice(request),
        alert=alert,
        mentees=[present(profile) for profile in listing.items],
        pager=_pager(request, total=listing.total, limit=limit, offset=offset),
        mentors=[profile_views.mentor_summary(profile) for profile in mentors.items],
        broken=[RULE_WORDS.get(code, code.replace("_", " ")) for code in broken],
        chosen=chosen or {},
        errors=errors or {},
        run=run,
        run_words=RUN_WORDS,
        **_words(),
    )


@router.get("/coordinator/waiting")
@records_reads
def waiting(
    request: Request,
    session: SessionDep,
    coordinator: Coordinator,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
    run: uuid.UUID | None = None,
) -> Response:
    shown = None
    if run is not None:
        shown = matching_views.to_public(
            runs.get_run(session=session, organization_id=coordinator.organization_id, run_id=run)
        )
    return _waiting(request, session, coordinator, limit=limit, offset=offset, run=shown)


@router.post("/coordinator/matching-runs", dependencies=[Csrf])
def run_matching(request: Request, session: SessionDep, coordinator: Coordinator) -> Response:
    try:
        run = runs.queue_run(
            session=session,
            organization_id=coordinator.organization_id,
            requested_by=coordinator.id,
        )
    except Conflict:
        session.rollback()
        return _waiting(
            request,
            session,
            coordinator,
            status_code=409,
            alert=(
                "Matching is already under way for your organization. There is no need to "
                "start it again: its proposals will appear shortly, and you can run it again "
                "once it has finished."
            ),
        )
    return go(f"/coordinator/waiting?run={run.id}", notice="run-queued")


@router.post("/coordinator/proposals", dependencies=[Csrf])
def propose(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    coordinator: Coordinator,
    mentee_profile_id: FormText = "",
    mentor_profile_id: FormText = "",
) -> Response:
    chosen = {"mentee": mentee_profile_id, "mentor": mentor_profile_id}
    try:
        body = ManualProposal(
            mentee_profile_id=mentee_profile_id,  # type: ignore[arg-type]
            mentor_profile_id=mentor_profile_id,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        errors = {
            field: "Please choose someone from the list."
            for field in field_errors(error)
            if field in ("mentee_profile_id", "mentor_profile_id")
        }
        return _waiting(
            request, session, coordinator, status_code=422, chosen=chosen, errors=errors
        )
    try:
        manual.propose(
            session=session,
            coordinator=coordinator,
            body=body,
            expiry_days=settings.proposal_expiry_days,
        )
    except InvalidInput as refused:
        session.rollback()
        return _waiting(
            request,
            session,
            coordinator,
            status_code=422,
            broken=_broken_rules(refused),
            chosen=chosen,
        )
    except Conflict:
        session.rollback()
        return _waiting(
            request,
            session,
            coordinator,
            status_code=409,
            chosen=chosen,
            alert="Another proposal took one of these two just now. Please choose again.",
        )
    return go("/coordinator/waiting", notice="proposed")


def _broken_rules(refused: DomainError) -> list[str]:
    found: list[str] = []
    for item in refused.detail if isinstance(refused.detail, list) else []:
        constraints = item.get("constraints")
        if isinstance(constraints, list):
            found.extend(str(code) for code in constraints)
    return found


# Reports


def _reports(
    request: Request,
    session: Session,
    coordinator: User,
    *,
    offset: int = 0,
    status_code: int = 200,
    errors: dict[str, Errors] | None = None,
    notes: dict[str, str] | None = None,
) -> Response:
    open_reports = safety.list_reports(
        session=session,
        coordinator=coordinator,
        status=ReportStatus.open,
        limit=MENTOR_LIST,
        offset=0,
    )
    resolved = safety.list_reports(
        session=session,
        coordinator=coordinator,
        status=ReportStatus.resolved,
        limit=PAGE_SIZE,
        offset=offset,
    )
    present = safety_views.report_presenter(
        session=session,
        coordinator=coordinator,
        reports=[*open_reports.items, *resolved.items],
    )
    return page(
        request,
        "coordinator_reports.html",
        status_code=status_code,
        title="Reports",
        notice=_notice(request),
        open_reports=[present(row) for row in open_reports.items],
        open_total=open_reports.total,
        resolved=[present(row) for row in resolved.items],
        resolved_pager=_pager(request, total=resolved.total, limit=PAGE_SIZE, offset=offset),
        errors=errors or {},
        notes=notes or {},
        **_words(),
    )


@router.get("/coordinator/reports")
@records_reads
def reports(
    request: Request, session: SessionDep, coordinator: Coordinator, offset: Offset = 0
) -> Response:
    return _reports(request, session, coordinator, offset=offset)


@router.post("/coordinator/reports/{report_id}/resolve", dependencies=[Csrf])
def resolve_report(
    request: Request,
    report_id: uuid.UUID,
    session: SessionDep,
    coordinator: Coordinator,
    note: FormText = "",
) -> Response:
    key = str(report_id)
    try:
        body = ResolveIn(note=note)
    except ValidationError as error:
        found = field_errors(error)
        if "note" in found and not note.strip():
            found["note"] = "Please say in a few words what was done."
        return _reports(
            request,
            session,
            coordinator,
            status_code=422,
            errors={key: found},
            notes={key: note},
        )
    safety.resolve_report(
        session=session, coordinator=coordinator, report_id=report_id, note=body.note
    )
    return go("/coordinator/reports", notice="resolved")


# The dashboard


def _period_label(start: date, period: trends.Period) -> str:
    return f"{start.day} {start:%b}" if period == "week" else f"{start:%b %Y}"


def dashboard_figures(
    *, session: Session, organization_id: uuid.UUID, period: trends.Period
) -> dict[str, Any]:
    """Everything the dashboard shows: the charts and the tables of their numbers."""
    figures = stats.stats(session=session, organization_id=organization_id)
    count = 12 if period == "month" else 10
    over_time = trends.outcomes_by_period(
        session=session, organization_id=organization_id, period=period, count=count
    )
    medians = trends.median_days_to_active_by_period(
        session=session, organization_id=organization_id, period=period, count=count
    )
    # From the first period with anything to show (keeping a few), so that a young
    # organization's chart is not mostly empty months.
    used = [i for i, row in enumerate(over_time) if row.total or medians[i].introductions]
    first = min(used[0] if used else len(over_time), len(over_time) - MIN_PERIODS)
    over_time, medians = over_time[first:], medians[first:]
    count = len(over_time)
    labels = [_period_label(row.start, period) for row in over_time]
    shown = [code for code in OUTCOME_ORDER if any(row.counts[code] for row in over_time)]
    per = "week" if period == "week" else "month"
    total = sum(row.total for row in over_time)
    outcome_chart = charts.stacked_bars(
        summary=(
            f"Introductions made each {per}, stacked by where they stand now: "
            f"{total} in the last {count} {per}s. The table below has every number."
        ),
        categories=labels,
        series=[
            charts.Series(OUTCOME_WORDS[code], [row.counts[code] for row in over_time])
            for code in shown
        ],
    )
    median_rows = [(label, row) for label, row in zip(labels, medians, strict=True)]
    median_chart = charts.bars(
        summary=(
            "Median days from a mentee's profile to an active introduction, by the "
            f"{per} it was approved."
        ),
        labels=labels,
        values=[row.median_days for row in medians],
        unit=" days",
    )
    declines = figures.decline_reasons
    decline_chart = charts.bars(
        summary="Why proposals were declined: "
        + ", ".join(f"{DECLINE_WORDS[code]} {declines[code]}" for code in DECLINE_WORDS)
        + ".",
        labels=[DECLINE_WORDS[code] for code in DECLINE_WORDS],
        values=[declines.get(code, 0) for code in DECLINE_WORDS],
        colour=charts.PALETTE[5],
    )
    ends = figures.end_reasons
    end_chart = charts.bars(
        summary="Why mentorships ended: "
        + ", ".join(f"{END_WORDS[code]} {ends[code]}" for code in END_WORDS)
        + ".",
        labels=[END_WORDS[code] for code in END_WORDS],
        values=[ends.get(code, 0) for code in END_WORDS],
        colour=charts.PALETTE[2],
    )
    acceptance = figures.acceptance_rate
    utilization = figures.mentor_utilization
    return {
        "stats": figures,
        "period": period,
        "per": per,
        "count": count,
        "outcome_chart": outcome_chart,
        "outcome_rows": list(zip(labels, over_time, strict=True)),
        "outcome_codes": shown,
        "outcome_words": OUTCOME_WORDS,
        "median_chart": median_chart,
        "median_rows": median_rows,
        "acceptance_chart": charts.share(
            summary=f"Acceptance rate: {_percent(acceptance)} of answered proposals were "
            "accepted by both.",
            label="Both said yes",
            value=acceptance,
        ),
        "utilization_chart": charts.share(
            summary=f"Mentor utilization: {_percent(utilization)} of approved mentors' places "
            "are taken by active mentorships.",
            label="Places taken",
            value=utilization,
        ),
        "decline_chart": decline_chart,
        "decline_rows": [(DECLINE_WORDS[code], declines.get(code, 0)) for code in DECLINE_WORDS],
        "end_chart": end_chart,
        "end_rows": [(END_WORDS[code], ends.get(code, 0)) for code in END_WORDS],
    }


def _percent(value: float | None) -> str:
    return "not yet known" if value is None else f"{round(value * 100)}%"


@router.get("/coordinator/dashboard")
def dashboard(
    request: Request, session: SessionDep, coordinator: Coordinator, period: str = "month"
) -> Response:
    chosen: trends.Period = "week" if period == "week" else "month"
    return page(
        request,
        "coordinator_dashboard.html",
        title="Dashboard",
        **dashboard_figures(
            session=session, organization_id=coordinator.organization_id, period=chosen
        ),
    )


# Support resources

SUPPORT_ROWS = 10
SUPPORT_FIELDS = ("name", "contact", "url", "hours")


def _support(
    request: Request,
    rows: list[dict[str, str]],
    *,
    status_code: int = 200,
    errors: Errors | None = None,
) -> Response:
    blank = dict.fromkeys(SUPPORT_FIELDS, "")
    shown = [*rows, *([blank] * 2)][:SUPPORT_ROWS]
    return page(
        request,
        "coordinator_support.html",
        status_code=status_code,
        title="Support resources",
        notice=_notice(request),
        rows=shown,
        errors=errors or {},
    )


@router.get("/coordinator/support")
def support_resources(request: Request, session: SessionDep, coordinator: Coordinator) -> Response:
    resources = support.for_organization(
        session=session, organization_id=coordinator.organization_id
    )
    return _support(request, [resource.model_dump() for resource in resources])


async def _form(request: Request) -> FormData:
    # Read here, in the event loop, so that the route itself can stay synchronous.
    return await request.form()


@router.post("/coordinator/support", dependencies=[Csrf])
def replace_support_resources(
    request: Request,
    session: SessionDep,
    coordinator: Coordinator,
    form: Annotated[FormData, Depends(_form)],
) -> Response:
    rows = [
        {field: str(form.get(f"resources.{i}.{field}", "")).strip() for field in SUPPORT_FIELDS}
        for i in range(SUPPORT_ROWS)
    ]
    kept = [(i, row) for i, row in enumerate(rows) if any(row.values())]
    try:
        body = SupportResourcesIn(resources=[row for _, row in kept])  # type: ignore[arg-type]
    except ValidationError as error:
        errors: Errors = {}
        for field, message in field_errors(error).items():
            parts = field.split(".")
            if len(parts) == 3 and parts[1].isdigit():
                field = f"resources.{kept[int(parts[1])][0]}.{parts[2]}"
            elif field == "resources":
                field = "form"
                message = "Please keep at least one place people can turn to."
            errors[field] = message
        upto = kept[-1][0] + 1 if kept else 0
        return _support(request, rows[:upto], status_code=422, errors=errors)
    support.replace(session=session, coordinator=coordinator, body=body)
    return go("/coordinator/support", notice="support-saved")
