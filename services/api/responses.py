"""The error answers each route can give, declared from what the route depends on.

A route that needs a login can answer 401, one that needs a coordinator 403, one that reads
the database 503 while it is down, one with a body 413 and 422. Declaring these from the
dependencies keeps the OpenAPI document true for every route, old and new, without each
router repeating them; a route's own, more specific declarations win.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from fastapi import APIRouter, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter

from services.api.deps import get_coordinator, get_current_user, get_session

Responses = dict[int | str, dict[str, Any]]

NOT_LOGGED_IN: Responses = {401: {"description": "Not logged in, or the login has ended"}}
NOT_A_COORDINATOR: Responses = {403: {"description": "Only coordinators may do this"}}
UNAVAILABLE: Responses = {503: {"description": "The service is briefly unavailable; try again"}}
TOO_LARGE: Responses = {413: {"description": "The request body is too large"}}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def declare_errors(router: APIRouter) -> APIRouter:
    """Add the dependency-given error answers to each of the router's routes; the router."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        calls = set(_calls(route.dependant))
        found: Responses = {}
        if get_current_user in calls:
            found |= NOT_LOGGED_IN
        if get_coordinator in calls:
            found |= NOT_A_COORDINATOR
        if get_session in calls:
            found |= UNAVAILABLE
        if route.body_field is not None:
            found |= TOO_LARGE
        for code, answer in found.items():
            if code not in route.responses and str(code) not in route.responses:
                route.responses[code] = answer
    return router


# An answer the route already built as its response model is sent as it is: returning the
# model would have FastAPI validate it again, for a `def` route in one more hop to the
# thread pool, which cost an authenticated read more than its serialization. The route
# keeps declaring its `response_model`, so the OpenAPI document is unchanged.


def answer(model: BaseModel, *, status_code: int = 200) -> Response:
    """`model` as the JSON FastAPI would send for it, without validating it once more."""
    return Response(model.model_dump_json(by_alias=True), status_code=status_code, media_type=JSON)


def answer_list(item_type: type[BaseModel], items: list[Any]) -> Response:
    """A list of `item_type` (built as such) as the JSON FastAPI would send for it."""
    return Response(_list_of(item_type).dump_json(items, by_alias=True), media_type=JSON)


JSON = "application/json"


@cache
def _list_of(item_type: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[item_type])  # type: ignore[valid-type]
