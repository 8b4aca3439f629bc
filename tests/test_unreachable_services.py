"""A database or Redis that is configured but does not answer fails the test run; it never skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Port 9 (discard) has no PostgreSQL or Redis behind it on any sane machine.
DEAD = {
    "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/college_nowhere",
    "REDIS_URL": "redis://127.0.0.1:9/0",
}


@pytest.mark.parametrize("variable", sorted(DEAD))
def test_an_unreachable_service_fails_the_run(variable):
    env = {k: v for k, v in os.environ.items() if k not in DEAD}
    env[variable] = DEAD[variable]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_config.py::test_defaults_keep_data_in_the_instance_folder"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "1 error" in output and "skipped" not in output
    assert "Connection refused" in output
