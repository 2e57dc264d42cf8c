"""Request and response bodies for accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.core.models import Role

DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")]


class AccountCreate(BaseModel):
    """What a person gives to register."""

    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=12, max_length=128)
    display_name: DisplayName
    organization: Slug | None = None


class AccountPublic(BaseModel):
    """An account as its owner sees it."""

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    organization: str


class Token(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int
