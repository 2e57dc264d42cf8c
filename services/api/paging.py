"""Listings answer one page as a JSON array and the listing's size in `X-Total-Count`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel

from services.api.responses import answer_list
from services.core.pagination import Page

T = TypeVar("T")
U = TypeVar("U")


def page_out(response: Response, page: Page[T], to_public: Callable[[T], U]) -> list[U]:
    """Sets `X-Total-Count` and serializes the page's items."""
    response.headers["X-Total-Count"] = str(page.total)
    return [to_public(item) for item in page.items]


def page_answer(
    page: Page[T], to_public: Callable[[T], BaseModel], item_type: type[BaseModel]
) -> Response:
    """`page_out`, answered as it is (see `responses.answer`): the items as a JSON array of
    `item_type` and the listing's size in `X-Total-Count`."""
    response = answer_list(item_type, [to_public(item) for item in page.items])
    response.headers["X-Total-Count"] = str(page.total)
    return response
