"""Least exposure, proven on the contract itself: every response schema in the OpenAPI
document is walked, and a personal field may appear only where its reader is entitled to it.

Personal fields are contact details (email, display name), an exact place (latitude,
longitude) and the recovery date, which dates someone's last use. Members see their own;
participants see each other's contact only once active (`contact`, checked by the workflow
tests); coordinators see the applicant's name and email while vetting. Nothing else.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

PERSONAL = {"email", "display_name", "latitude", "longitude", "recovery_date"}

# Which personal fields each route may answer with, by reason.
OWN = PERSONAL  # the caller's own account, profiles, export
ALLOWED: dict[tuple[str, str], set[str]] = {}


def _allowed(method: str, path: str) -> set[str]:
    if (method, path) in ALLOWED:
        return ALLOWED[(method, path)]
    if path.startswith("/api/v1/me") or path in ("/api/v1/auth/register",):
        return OWN
    if path.startswith(("/api/v1/introductions", "/api/v1/me/introductions")):
        # The two participants' contact, once active.
        return {"email", "display_name"}
    if path.startswith("/api/v1/coordinator/mentors"):
        # Coordinators vet people, not aliases.
        return {"email", "display_name"}
    return set()


def _fields(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> set[str]:
    """Every property name reachable from `schema`, through refs, arrays and unions."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return set()
        return _fields(components[name], components, seen | {name})
    found: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found |= _fields(part, components, seen)
    if "items" in schema:
        found |= _fields(schema["items"], components, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found |= _fields(schema["additionalProperties"], components, seen)
    for name, part in schema.get("properties", {}).items():
        found.add(name)
        found |= _fields(part, components, seen)
    return found


def test_personal_fields_reach_only_those_entitled(app: FastAPI) -> None:
    document = app.openapi()
    components = document.get("components", {}).get("schemas", {})
    overexposed = {}
    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operations += 1
            reachable: set[str] = set()
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    reachable |= _fields(media.get("schema", {}), components, set())
            extra = (reachable & PERSONAL) - _allowed(method.upper(), path)
            if extra:
                overexposed[f"{method.upper()} {path}"] = sorted(extra)
    assert operations > 20, "the walk saw the whole document"
    assert overexposed == {}


def test_the_walk_sees_fields_behind_refs_and_lists() -> None:
    components = {
        "Card": {"properties": {"alias": {}, "owner": {"$ref": "#/components/schemas/Who"}}},
        "Who": {"properties": {"email": {}}},
    }
    listing = {"type": "array", "items": {"anyOf": [{"$ref": "#/components/schemas/Card"}]}}
    assert _fields(listing, components, set()) == {"alias", "owner", "email"}
