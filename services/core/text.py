"""Rules for the text people type: normalized, free of hidden characters, never echoed back.

Use these types in request schemas for anything a person writes:

- `Name` for short, single-line names that others read (display names, aliases): it strips
  surrounding whitespace and needs at least one visible character.
- `FreeText` for longer writing (about, notes, reasons, details): newlines and tabs are fine.
- `Secret` for passwords: anything goes except what breaks storage (NUL, broken Unicode).
- `no_hidden_characters` for any other string field that reaches the database (a login
  name, say), as `Annotated[str, AfterValidator(no_hidden_characters)]`.

Give the length per use. `Annotated[Name, Field(max_length=40)]` counts it after
normalization and stripping, but pydantic then words the error "Value should have at most 40
items after validation"; for the plainer "String should have at most 40 characters", put the
length first and the rule after: `Annotated[str, Field(max_length=40), NAME_RULES]`
(likewise `FREE_TEXT_RULES`, `SECRET_RULES`).

Every type turns text into Unicode NFC (so "é" typed two ways compares and stores the same)
and refuses, with a 422 that never repeats what was sent:

- control characters (NUL included: PostgreSQL cannot store it), except newline and tab in
  `FreeText`; a carriage return before a newline is dropped;
- bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which make text read
  differently from what it is ("Trojan source");
- zero-width characters (U+200B-U+200D, U+2060, U+FEFF), which hide inside names and make
  two names that look the same differ;
- lone surrogates, which are not text at all and cannot be stored.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Letters and symbols that draw nothing: a name made of these looks empty.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_FREE_TEXT_CONTROLS = frozenset("\n\t")
_LINE_SEPARATORS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}

_CONTROL_MESSAGE = "Please remove control characters (such as NUL) from this text."
_BIDI_MESSAGE = "Please remove the characters that change the direction of the text."
_ZERO_WIDTH_MESSAGE = "Please remove the invisible (zero-width) characters from this text."
_BROKEN_MESSAGE = "This text contains characters that are not valid Unicode."
_NEWLINE_MESSAGE = "Please keep this to one line."
_BLANK_MESSAGE = "Please use at least one visible letter, number or symbol."


def _refuse(kind: str, message: str) -> PydanticCustomError:
    # A custom error carries only our message: pydantic's own would be "Value error, ...".
    return PydanticCustomError(kind, message)


def _check_characters(text: str, *, allowed_controls: frozenset[str]) -> None:
    for character in text:
        if character in _BIDI_CONTROLS:
            raise _refuse("text_bidi_control", _BIDI_MESSAGE)
        if character in _ZERO_WIDTH:
            raise _refuse("text_zero_width", _ZERO_WIDTH_MESSAGE)
        category = unicodedata.category(character)
        if category == "Cs":
            raise _refuse("text_invalid_unicode", _BROKEN_MESSAGE)
        if category == "Cc" and character not in allowed_controls:
            if character in "\n\r":
                raise _refuse("text_newline", _NEWLINE_MESSAGE)
            raise _refuse("text_control_character", _CONTROL_MESSAGE)
        if category in {"Zl", "Zp"} and not allowed_controls:
            raise _refuse("text_newline", _NEWLINE_MESSAGE)


def _has_visible_character(text: str) -> bool:
    return any(
        unicodedata.category(character)[0] in "LNPS" and character not in _BLANK_GLYPHS
        for character in text
    )


def no_hidden_characters(text: str) -> str:
    """NFC-normalize single-line text and refuse control, bidi and zero-width characters."""
    _check_characters(text, allowed_controls=frozenset())
    return unicodedata.normalize("NFC", text)


def clean_name(text: str) -> str:
    """Validate a name: NFC, one line, no hidden characters, stripped, something visible."""
    text = no_hidden_characters(text).strip()
    if not _has_visible_character(text):
        raise _refuse("text_not_visible", _BLANK_MESSAGE)
    return text


def clean_free_text(text: str) -> str:
    """Validate free writing: NFC, newlines and tabs kept, no other hidden characters."""
    for separator, newline in _LINE_SEPARATORS.items():
        text = text.replace(separator, newline)
    _check_characters(text, allowed_controls=_FREE_TEXT_CONTROLS)
    return unicodedata.normalize("NFC", text)


def clean_secret(text: str) -> str:
    """Validate a password: only NUL and broken Unicode are refused; nothing is changed."""
    for character in text:
        if character == "\x00":
            raise _refuse("text_control_character", _CONTROL_MESSAGE)
        if unicodedata.category(character) == "Cs":
            raise _refuse("text_invalid_unicode", _BROKEN_MESSAGE)
    return text


NAME_RULES = AfterValidator(clean_name)
FREE_TEXT_RULES = AfterValidator(clean_free_text)
SECRET_RULES = AfterValidator(clean_secret)
SINGLE_LINE_RULES = AfterValidator(no_hidden_characters)

Name = Annotated[str, NAME_RULES]
"""A display name or alias: one line, stripped, NFC, visible; add `Field(max_length=N)`."""

FreeText = Annotated[str, FREE_TEXT_RULES]
"""Free writing (about, notes, reasons, details): NFC, newlines and tabs allowed."""

Secret = Annotated[str, SECRET_RULES]
"""A password: kept exactly as typed, except that NUL and broken Unicode are refused."""

SingleLine = Annotated[str, SINGLE_LINE_RULES]
"""Any other one-line string that is stored or looked up (not stripped, may be blank)."""
