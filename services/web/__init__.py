"""The web app: server-rendered pages for mentees, mentors and coordinators, served by the
same FastAPI service and calling the same services under the same authorization."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_PATH = "/static"


def install_web(app: FastAPI) -> None:
    """Adds the pages and their static files to the app."""
    from services.web.pages import coordinator, member, model, profiles, public
    from services.web.render import HERE, install_page_errors

    install_page_errors(app)
    app.mount(STATIC_PATH, StaticFiles(directory=HERE / "static"), name="static")
    for pages in (public, member, profiles, coordinator, model):
        app.include_router(pages.router)
