"""Browser fixtures: the College served on 127.0.0.1, an RQ worker, and Debian's Chromium.

Every test in tests/browser/ is marked `browser` and runs in `make test` (and CI). A missing
Chromium or axe-core fails the run with the command that installs it: nothing is skipped.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
_REPORT = pytest.StashKey[dict]()
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Mark every test of this folder `browser`, so `make test-browser` (-m browser) finds them."""
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures know whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORT, {})[report.when] = report
    return report


def _closed_at_once(app):
    """Buffer each response and close it before it is sent.

    Werkzeug's server closes a response only after draining the socket, which raises when the
    browser has already hung up (a favicon request of a closed page): the open static file then
    surfaces as a ResourceWarning, an error under `filterwarnings = error`.
    """

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The College served by a real threaded HTTP server on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, _closed_at_once(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture()
def rq_worker(app, tmp_path) -> Iterator[subprocess.Popen]:
    """A real RQ worker process on the test database and Redis, for journeys."""
    from rq import Worker

    from college.jobs import redis_connection

    settings = {
        key: app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "EMBEDDED_REDIS_PATH", "PUBLIC_BASE_URL")
    }
    env = {**os.environ, "COLLEGE_TEST_CONFIG": json.dumps(settings)}
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.run_worker"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )
    connection = redis_connection(app)
    deadline = time.monotonic() + 30
    while not Worker.all(connection=connection):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail("the RQ worker did not start:\n" + (tmp_path / "worker.log").read_text())
        time.sleep(0.1)
    yield process
    process.terminate()  # a warm shutdown: the worker finishes its current job
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core engine, installed from the npm registry by `npm ci`."""
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core is missing at {AXE_SOURCE}: run `npm ci` (make test does it).")
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (never `playwright install`)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need it. Install it with "
            "`apt-get update && apt-get install -y chromium` (.ci/run does this)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _watch(page) -> list[str]:
    """Collect what a person would not see but what breaks a page: script errors, blocked or
    missing resources (CSP violations, a 404 stylesheet). Error pages themselves are fine."""
    problems: list[str] = []

    def on_console(message):
        # Chromium reports every 4xx document as "Failed to load resource"; assets are
        # checked through their responses below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.request.method} {response.url}: {response.status}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    # A load cut short by the next navigation (ERR_ABORTED) is no fault of the page.
    page.on("requestfailed", lambda request: request.failure != "net::ERR_ABORTED"
            and problems.append(f"failed: {request.url} ({request.failure})"))
    return problems


class Pages:
    """Opens browser pages on the live server; on failure each one leaves a screenshot."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.pages = []

    def open(self, *, viewport: dict = DESKTOP, language: str = "nl", javascript: bool = True):
        """A fresh browser (own cookies) whose Accept-Language asks for `language`."""
        context = self.browser.new_context(
            base_url=self.base_url, viewport=viewport, locale=language,
            java_script_enabled=javascript,
            extra_http_headers={"Accept-Language": language},
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.language = language
        page.problems = _watch(page)
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def screenshots(self, name: str) -> list[Path]:
        """Save a full-page screenshot of every open page into test-artifacts/."""
        ARTIFACTS.mkdir(exist_ok=True)
        saved = []
        for number, page in enumerate(self.pages, 1):
            short = name.removeprefix("tests/browser/").replace(".py::", "-")
            path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', short)}-{number}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except PlaywrightError as error:  # a crashed page must not hide the test's failure
                print(f"no screenshot of page {number}: {error}")
                continue
            saved.append(path)
        return saved

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture()
def pages(browser, live_server, request) -> Iterator[Pages]:
    """Open browser pages with `pages.open(viewport=PHONE, language="en")`."""
    opened = Pages(browser, live_server)
    yield opened
    report = request.node.stash.get(_REPORT, {}).get("call")
    if report is not None and report.failed:
        for path in opened.screenshots(request.node.nodeid):
            print(f"screenshot: {path}")
    opened.close()


def log_in(page, email: str, password: str) -> None:
    """Log in through the real form, as a person would."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login" not in page.url, f"login as {email} failed"
