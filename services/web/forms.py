"""Form errors beside their fields: pydantic's and the services' errors, by field name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from services.api.errors import public_errors
from services.core.errors import DomainError

Errors = dict[str, str]


def field_errors(
    error: ValidationError | DomainError, *, aliases: Mapping[str, str] | None = None
) -> Errors:
    """{field: message} for a refused form, the first message for each field; `aliases`
    maps the API's field paths to the form's field names."""
    items: list[dict[str, Any]]
    if isinstance(error, ValidationError):
        raw = error.errors()
        items = [
            {**public, "msg": _plain(one) or public["msg"]}
            for one, public in zip(raw, public_errors(raw), strict=True)
        ]
    elif isinstance(error.detail, list):
        items = list(error.detail)
    else:
        items = [{"field": "form", "msg": error.detail}]
    found: Errors = {}
    for item in items:
        field = str(item.get("field") or ".".join(str(p) for p in item.get("loc", [])[1:]))
        field = (aliases or {}).get(field, field)
        found.setdefault(field or "form", _sentence(str(item.get("msg", ""))))
    return found


def _plain(raw: Mapping[str, Any]) -> str | None:
    # Pydantic's words are for programmers; these are for people. None keeps pydantic's.
    kind = raw.get("type")
    limits = raw.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and limits.get("min_length") == 1):
        return "Please fill this in."
    if kind == "string_too_short":
        return f"Please use at least {limits.get('min_length')} characters."
    if kind == "string_too_long":
        return f"Please use at most {limits.get('max_length')} characters."
    if kind in {"int_parsing", "float_parsing"}:
        return "Please enter a number."
    if kind in {"date_from_datetime_parsing", "date_parsing"}:
        return "Please enter a date, like 2024-03-15."
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bound = ", ".join(f"{value}" for value in limits.values())
        return f"Please enter a number within the allowed range ({bound})." if bound else None
    if kind in {"enum", "literal_error"}:
        return "Please choose one of the options."
    return None


def _sentence(message: str) -> str:
    message = message.removeprefix("Value error, ").strip()
    if not message:
        return "Please check this."
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else f"{message}."
