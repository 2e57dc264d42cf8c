"""`make screenshots`: each main page of the web app at 1280 px and 390 px wide, as the demo's
mentee, mentor and coordinator see it, in var/screenshots/ (PNG).

Starts `peermatch run` with the demo data on a throwaway database and port, drives Debian's
Chromium headless, and stops everything after. Run it and look at every picture.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.chromium import CHROMIUM_ARGS  # noqa: E402

BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "screenshots"
WIDTHS = (1280, 390)
# Who looks at which pages: (name, login, password, pages).
VISITS: list[tuple[str, str | None, str | None, list[str]]] = [
    ("visitor", None, None, ["/", "/signup", "/login", "/support", "/forgot-password"]),
    (
        "mentee",
        "mentee@demo.example.org",
        "demo-mentee-password",
        ["/introductions", "/profile/mentee", "/me/data"],
    ),
    (
        "mentor",
        "mentor1@demo.example.org",
        "demo-mentor-password",
        ["/introductions", "/profile/mentor"],
    ),
    (
        "coordinator",
        "coordinator@demo.example.org",
        "demo-coordinator-password",
        [
            "/coordinator",
            "/coordinator/mentors",
            "/coordinator/waiting",
            "/coordinator/reports",
            "/coordinator/dashboard",
            "/coordinator/model",
        ],
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("peermatch run stopped before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("peermatch run did not start in 90 s")


def _log_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Chromium is missing: run `make system-deps`.", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="peermatch-screens-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{home / 'peermatch.db'}",
        "BROKER_URL": f"sqla+sqlite:///{home / 'broker.db'}",
        "MAIL_DIR": str(home / "mail"),
        "EMAIL_BACKEND": "file",
        "PORT": str(port),
    }
    for step in (["alembic", "upgrade", "head"], ["peermatch", "seed-demo"]):
        subprocess.run(
            [str(BIN / step[0]), *step[1:]], cwd=ROOT, env=env, check=True, capture_output=True
        )
    server = subprocess.Popen(
        [str(BIN / "peermatch"), "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    written = 0
    try:
        _wait(url, server)
        time.sleep(3)  # the worker's first matching run proposes the demo introductions
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for name, email, password, paths in VISITS:
                for width in WIDTHS:
                    context = browser.new_context(viewport={"width": width, "height": 900})
                    page = context.new_page()
                    if email and password:
                        _log_in(page, url, email, password)
                    for path in paths:
                        page.goto(url + path)
                        slug = path.strip("/").replace("/", "-") or "home"
                        target = OUT / f"{name}-{slug}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        written += 1
                        print(f"{target.relative_to(ROOT)}  {page.title()}")
                    context.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    print(f"{written} screenshots in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
