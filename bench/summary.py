"""The one table `make bench` ends with: each figure, its floor, the ratio, the aim, and for a
missed aim by how much and why.

    python bench/summary.py build/bench-summary.jsonl

Each benchmark adds its figures with `record()` to the file named by BENCH_SUMMARY (nothing when
it is unset, so a benchmark run alone prints only its own table). The reasons for a miss are the
ones the profiles gave (README, "Benchmarks"); a figure that meets its aim prints "met".
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass

#: Why a figure misses its aim, where it does (what the profiles found; README "Benchmarks").
WHY = {
    "my-trainings": "ten enrolment cards and the next five sessions in eight queries, about "
                    "15 ms a view (half rendering the cards, half the queries and the ORM): a "
                    "person's page is not cached, it changes with every enrolment, mark, offer, "
                    "respite arrangement, evaluation and with the clock",
    "roster": "about 10 ms of CPU a view: ten queries (session, trainers, seated learners, "
              "marks, the completion rule's facts, respite) and the access-log lines written "
              "in the same transaction, then 20 rows with their form; live attendance is not "
              "cached",
    "my-trainings-p95": "at 50 clients on two cores a request waits for the other 49: p95 is "
                        "about 35 times the page's own time (see My trainings)",
    "roster-p95": "at 50 clients on two cores a request waits for the other 49: p95 is about "
                  "35 times the page's own time (see the roster)",
    "api-courses": "serialising 20 courses with their editions when the page cache misses",
    "signed-in": "the user with memberships and regional roles from the database on every "
                 "request (BEGIN, the query, COMMIT) and the ORM building them; a user kept "
                 "in Redis saved 0.1-0.2 ms and could keep a role or a session that was ended",
    "catalogue": "the page cache missed (a change to a course, edition or seat count during "
                 "the run makes it stale)",
    "course": "the page cache missed (a change to a course, edition or seat count during "
              "the run makes it stale)",
    "certificate": "a job also signs the PDF (PAdES) and stores it in the database, which the "
                   "bare render does not",
    "two-workers": "two cores shared with the web server, Redis, the database and the "
                   "benchmark itself: a second worker finds no idle core",
    "figures-kept": "drawing the charts and the page, not the figures",
    "figures-computed": "the first view after a change computes the period's figures from its "
                        "rows (no pre-aggregated monthly figures)",
    "region-figures-kept": "both views read two small queries and take about 10 ms: the "
                           "difference is drawing the page and noise, not the figures",
    "region-figures-computed": "the first view after a change computes the members' figures "
                               "from the period's rows (no pre-aggregated monthly figures)",
}


@dataclass
class Figure:
    """One line of the table: `value` and `aim` in the same unit ("x" a ratio to the floor,
    "ms" milliseconds more than the floor, "p95 ms" a 95th percentile latency); `at_least`
    when more is better."""

    key: str
    label: str
    measured: str
    floor: str
    value: float
    aim: float
    unit: str = "x"
    at_least: bool = False

    @property
    def met(self) -> bool:
        return self.value >= self.aim if self.at_least else self.value <= self.aim

    def shown(self, number: float) -> str:
        if self.unit == "ms":
            return f"+{number:.1f} ms"
        if self.unit == "p95 ms":
            return f"{number:.0f} ms"
        return f"{number:.2f}x"

    def verdict(self) -> str:
        if self.met:
            return "met"
        if self.unit in ("ms", "p95 ms"):
            by = f"{self.value - self.aim:.1f} ms over"
        elif self.at_least:
            by = f"{self.aim / self.value:.2f}x short"
        elif self.value < 1.5 * self.aim:
            by = f"{100 * (self.value / self.aim - 1):.1f}% over"
        else:
            by = f"{self.value / self.aim:.1f}x over"
        return f"missed, {by}: {WHY.get(self.key, 'not profiled')}"


def record(figure: Figure) -> None:
    """Add a figure to the summary file of this `make bench` run (when there is one)."""
    path = os.environ.get("BENCH_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(json.dumps(asdict(figure)) + "\n")


def table(figures: list[Figure]) -> str:
    """The Markdown table of every figure, as the README keeps it."""
    lines = ["| figure | measured | floor | ratio | aim | verdict |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    lines += [f"| {f.label} | {f.measured} | {f.floor} | {f.shown(f.value)} | "
              f"{'>= ' if f.at_least else '<= '}{f.shown(f.aim)} | {f.verdict()} |"
              for f in figures]
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as summary:
        figures = [Figure(**json.loads(line)) for line in summary if line.strip()]
    if not figures:
        print("no benchmark recorded a figure", file=sys.stderr)
        return 1
    met = sum(figure.met for figure in figures)
    print(f"\n== make bench: {met} of {len(figures)} aims met "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)\n")
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
