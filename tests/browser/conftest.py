"""The web app in a real browser: `peermatch run` (the API, a worker and beat on the embedded
default, as `make run` starts them) on a fresh database, driven by Debian's headless
Chromium through Playwright, with axe-core checking every page."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.browser.chromium import CHROMIUM_ARGS
from tests.conftest import PASSWORD, ROOT, TEST_SECRET

# The suite runs in parallel on two shared cores: waits are hang guards, generous on purpose.
expect.set_options(timeout=15_000)

pytestmark = pytest.mark.browser
SERIOUS = {"serious", "critical"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveSite:
    """PeerMatch served on loopback, with where its emails land."""

    url: str
    mail_dir: Path
    env: dict[str, str]

    def peermatch(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run a `peermatch` command against this site's database."""
        return subprocess.run(
            [str(Path(sys.executable).parent / "peermatch"), *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )

    def coordinator(self, email: str, organization: str = "demo") -> None:
        self.peermatch(
            "create-coordinator",
            "--email",
            email,
            "--password",
            PASSWORD,
            "--organization",
            organization,
        )


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
                if answer.status == 200 and "ready." in log.read_text(errors="replace"):
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError("PeerMatch did not start in 90 s:\n" + log.read_text()[-3000:])


@contextmanager
def _running_site(home: Path, *, demo: bool = False) -> Iterator[LiveSite]:
    """`peermatch run` on a fresh SQLite database and the embedded broker (with the demo
    data, as `make run` seeds it, when `demo`)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{home / 'peermatch.db'}",
        "BROKER_URL": f"sqla+sqlite:///{home / 'broker.db'}",
        "SECRET_KEY": TEST_SECRET,
        "ENVIRONMENT": "development",
        "MAIL_DIR": str(home / "mail"),
        "EMAIL_BACKEND": "file",
        "PORT": str(port),
        "OUTBOX_RELAY_SECONDS": "0.5",
    }
    site = LiveSite(url=f"http://127.0.0.1:{port}", mail_dir=home / "mail", env=env)
    subprocess.run(
        [str(Path(sys.executable).parent / "alembic"), "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    if demo:
        site.peermatch("seed-demo")
    log = home / "run.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "peermatch"), "run", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(site.url, process, log)
        yield site
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """PeerMatch with nobody in it yet: each test brings its own people."""
    with _running_site(tmp_path_factory.mktemp("site")) as site:
        yield site


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """PeerMatch with the demo data `make run` seeds: something on every page."""
    with _running_site(tmp_path_factory.mktemp("demo"), demo=True) as site:
        yield site


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless ('make system-deps' installs it)."""
    executable = shutil.which("chromium")
    assert executable, "Chromium is missing: run `make system-deps` (it installs it)"
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def open_page(chromium: Browser) -> Iterator[Any]:
    """Open a page in a new, empty browser profile (a person on their own device)."""
    contexts = []

    def open_one(width: int = 1280, height: int = 900) -> Page:
        context = chromium.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now, and the page
    fits a phone's width without sideways scrolling."""
    results = _axe.run(page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not violations, f"{page.url}:\n" + "\n".join(violations)
    assert page.locator("h1").count() == 1, f"{page.url} has not exactly one h1"
    scroll = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert scroll <= 0, f"{page.url} scrolls sideways by {scroll} px"
