"""The fixtures the journeys stand on: a served College, a real worker, screenshots."""

from __future__ import annotations

import time

from college import timeutil
from college.jobs import queue
from tests.browser.conftest import PHONE, log_in
from tests.conftest import PASSWORD


def test_live_server_serves_the_test_database(pages, make):
    organiser = make.organiser("Mantelzorghub Brugge")
    coordinator = make.coordinator(organiser)
    page = pages.open(viewport=PHONE, language="en")
    log_in(page, coordinator.email, PASSWORD)
    page.goto(f"/organisers/{organiser.id}/people")
    assert page.locator("h1").inner_text() == "People of Mantelzorghub Brugge"
    assert page.problems == []


def test_worker_runs_queued_jobs(rq_worker):
    job = queue("default").enqueue("college.timeutil.today")
    deadline = time.monotonic() + 20
    while job.get_status(refresh=True) not in ("finished", "failed"):
        assert time.monotonic() < deadline, "the worker did not run the job"
        time.sleep(0.1)
    assert job.get_status() == "finished"
    assert job.return_value() == timeutil.today()


def test_failed_browser_test_leaves_a_screenshot(pages, tmp_path):
    page = pages.open(viewport=PHONE, language="en")
    page.goto("/")
    saved = pages.screenshots("fixture-self-test")
    try:
        assert len(saved) == 1 and saved[0].stat().st_size > 1000
    finally:
        for path in saved:
            path.unlink()
