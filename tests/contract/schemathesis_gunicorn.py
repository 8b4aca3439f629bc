"""The API against its own document, as an outside client meets it (not part of `make test`).

    .venv/bin/python tests/contract/schemathesis_gunicorn.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/college_contract

It makes the database afresh (its name must contain "contract"; it is dropped and made again,
and dropped at the end), applies the migrations, loads the demo, and starts on the loopback
interface a redis-server of its own and gunicorn (`gunicorn wsgi:app`, two workers). Then it
asks for two bearer tokens through POST /api/v1/auth/tokens, as a client does (the demo's
coordinator and its caregiver), and runs `schemathesis run` against the served document once
per token: every check, the examples, coverage, fuzzing and stateful phases, positive and
negative data. DELETE /api/v1/auth/tokens/current ends the token it is sent with, so it runs
last, on its own. Exits non-zero when schemathesis reports any failure or error; `.ci/run`
runs it on PostgreSQL after the suite's second run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))


from college.demo import DEMO_PASSWORD  # noqa: E402
from tests.stack import Stack  # noqa: E402

CONFIG = Path(__file__).with_name("schemathesis.toml")
#: Whose tokens the document is tried with: a coordinator can do most, a learner little.
CALLERS = {"coordinator": "coordinator@example.be", "learner": "mantelzorger@example.be"}
#: DELETE here ends the token it is sent with: tried last, so the others keep a valid token.
TOKEN_ENDING = "/api/v1/auth/tokens/current"


def token_for(base: str, email: str) -> str:
    """A bearer token, asked for the way a client does."""
    response = requests.post(f"{base}/api/v1/auth/tokens", timeout=30,
                             json={"email": email, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return response.json()["token"]


def schemathesis(base: str, token: str, name: str, report_dir: Path, extra: list[str],
                 max_examples: int, seed: int) -> dict:
    """One `schemathesis run`; its exit code and its figures (from the JUnit report)."""
    junit = report_dir / f"{name}.xml"
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(CONFIG),
        "run", f"{base}/api/v1/openapi.json",
        "--url", base, "--checks", "all", "--mode", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(max_examples), "--seed", str(seed),
        # One worker: with more, Hypothesis's source reading in threads fails now and then.
        "--workers", "1", "--request-timeout", "30",
        "-H", f"Authorization: Bearer {token}",
        "--report", "junit", "--report-junit-path", str(junit),
        "--suppress-health-check", "all", "--warnings", "off", *extra,
    ]
    started = time.monotonic()
    print(f"\n== schemathesis as the {name}", flush=True)
    code = subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603 (our own argv)
    return {"name": name, "exit_code": code, "seconds": round(time.monotonic() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "CONTRACT_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/college_contract"))
    parser.add_argument("--max-examples", type=int, default=25,
                        help="test cases per operation and phase (default 25)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    # Stopped by CI (SIGTERM): still stop gunicorn and Redis and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    runs = []
    started = time.monotonic()
    with Stack(args.database_url, name="contract", drop_at_exit=True,
               secret="contract-test-secret-key-not-for-production") as stack:  # noqa: S106
        access_log = stack.folder / "access.log"
        stack.flask("db", "upgrade")
        stack.flask("college", "demo")
        stack.serve(workers=args.workers, ready="/api/v1/openapi.json",
                    options=("--access-logfile", str(access_log),
                             "--access-logformat", "%(s)s"))  # a status a line
        tokens = {name: token_for(stack.base, email) for name, email in CALLERS.items()}
        everything_but = ["--exclude-path", TOKEN_ENDING]
        just = ["--include-path", TOKEN_ENDING]
        for name, token in tokens.items():
            runs.append(schemathesis(stack.base, token, name, stack.folder, everything_but,
                                     args.max_examples, args.seed))
        for name, token in tokens.items():
            runs.append(schemathesis(stack.base, token, f"{name}-ends-its-token", stack.folder,
                                     just, args.max_examples, args.seed))
    ok = bool(runs) and all(run["exit_code"] == 0 for run in runs)
    lines = access_log.read_text().splitlines() if access_log.exists() else []
    statuses = Counter(line for line in lines if line.isdigit())
    print(json.dumps({"ok": ok, "seconds": round(time.monotonic() - started, 1),
                      "requests": statuses.total(), "statuses": dict(sorted(statuses.items())),
                      "runs": runs}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
