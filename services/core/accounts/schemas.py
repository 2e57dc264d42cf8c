"""Request and response bodies for accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from services.core.models import Role
from services.core.text import NAME_RULES, SECRET_RULES, SINGLE_LINE_RULES, no_hidden_characters

_EMAIL_MESSAGE = "Please enter a valid email address, like name@example.org."


def _valid_email(value: str) -> str:
    # pydantic's own message names the offending characters; ours repeats nothing.
    text = no_hidden_characters(value).strip()
    try:
        _name, email = validate_email(text)
    except PydanticCustomError as error:
        raise PydanticCustomError("email_invalid", _EMAIL_MESSAGE) from error
    return email.lower()


Email = Annotated[
    str,
    Field(max_length=254),
    AfterValidator(_valid_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
"""An email address: no hidden characters, valid, lower-cased; errors never repeat it."""

Password = Annotated[str, Field(min_length=12, max_length=128), SECRET_RULES]
DisplayName = Annotated[str, Field(min_length=1, max_length=80), NAME_RULES]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")]
ConsentVersion = Annotated[str, Field(min_length=1, max_length=40), SINGLE_LINE_RULES]


class AccountCreate(BaseModel):
    """An account to create (the API's registration adds the consent: `Registration`)."""

    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password
    display_name: DisplayName
    organization: Slug | None = None


class Registration(AccountCreate):
    """What a person gives to register, including the privacy notice they accept."""

    consent_version: ConsentVersion = Field(
        description="The version of the privacy notice accepted (GET /privacy-notice)."
    )


class AccountCreated(BaseModel):
    """The answer to a registration: the same whether or not the email already had an account,
    so it carries no id (read it from GET /me after logging in)."""

    email: str
    display_name: str
    organization: str


class ConsentPublic(BaseModel):
    """The privacy notice a person accepted, and when."""

    version: str
    given_at: datetime


class AccountPublic(BaseModel):
    """An account as its owner sees it."""

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    organization: str
    consent: ConsentPublic | None = Field(
        description="None only for accounts created before consent was recorded."
    )


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class PrivacyNotice(BaseModel):
    """The privacy notice a person accepts when registering."""

    version: str
    text: str


class PasswordChange(BaseModel):
    """A new password, confirmed with the current one."""

    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(min_length=1, max_length=128), SECRET_RULES]
    new_password: Password


class PasswordResetRequest(BaseModel):
    """The email of the account whose password was forgotten."""

    model_config = ConfigDict(extra="forbid")

    email: Email


class PasswordResetConfirm(BaseModel):
    """The token from a reset link, and the new password."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
    new_password: Password


class Accepted(BaseModel):
    """A request taken in; what happens next does not depend on who asked."""

    detail: str


class Problem(BaseModel):
    """An error answer with a plain message."""

    detail: str
