"""Invariant tests: random sequences of what people do, with the College's promises checked
after every step.

Hypothesis' stateful testing (`RuleBasedStateMachine`) picks the steps: creating editions and
sessions (and moving them), enrolling and walk-ins, cancelling, changing capacity, choosing
how freed seats reach the waiting list (moved up, or offered) and answering offers, recording
attendance, finishing modules, quiz attempts, revoking and reissuing certificates, and the
clock moving forward with the periodic completion and offer-expiry jobs. Each step calls the real services in
one unit of work as a request does (the services flush, the step commits; a refusal rolls back
and must have changed nothing), on the real database (SQLite, or PostgreSQL through
DATABASE_URL). The certificate job runs at once after each commit: the same function the RQ
worker runs, rendering the real PDF.

After every step (`check_promises`): seats taken = seats of seated enrolments (2 with a
companion) + seats held by open offers (likewise) <= capacity (a held seat is not free); an
open offer belongs to someone waiting and ends by its deadline; waiting-list positions are
1..n; every enrolment's state equals the rule worked out from the rows
(`oracle.verdict`); no certificate before the last session ended; at most one live
certificate per enrolment, and one (issued) exactly for the completed ones, unless a
coordinator revoked it; every figure of the coordinator's and the trainer's dashboards equals
the same figure counted from the rows (`oracle.organiser_figures`); and the funnels hold.

INVARIANT_EXAMPLES sets how many sequences run (default 25, of up to 30 steps each);
CI's PostgreSQL run sets 100.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections import Counter
from datetime import date, time, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from college import timeutil
from college.accounts.models import Kind
from college.attendance import codes
from college.attendance.models import AttendanceStatus
from college.attendance.recording import record_attendance
from college.attendance.walk_in import admit_walk_in
from college.catalogue import services as catalogue
from college.catalogue.models import Edition, TrainingSession
from college.certificates import services as certificates
from college.certificates import tasks as certificate_tasks
from college.certificates.models import Certificate, CertificateStatus
from college.completion import tasks as completion_tasks
from college.dashboards import cache as figures_cache
from college.dashboards.definitions import EDITION_FUNNEL
from college.dashboards.edition import edition_dashboard
from college.dashboards.organiser import FIGURE_NAMES, Period, organiser_dashboard
from college.enrolment import offers as offering
from college.enrolment import services as enrolling
from college.enrolment import tasks as offer_tasks
from college.enrolment.models import Enrolment, EnrolmentStatus, WaitlistOffer
from college.errors import ServiceError
from college.extensions import db
from college.jobs import redis_connection
from college.learning import attempts, modules, quiz_authoring
from college.learning.access import current_quiz
from college.learning.models import QuestionKind
from college.learning.quiz_authoring import ChoiceInput
from tests.conftest import _empty_tables
from tests.invariants import oracle

EXAMPLES = int(os.environ.get("INVARIANT_EXAMPLES", "25"))
STEPS = int(os.environ.get("INVARIANT_STEPS", "30"))

STATUSES = st.sampled_from(list(AttendanceStatus))
#: Now and then a step names anyone, not only someone it could succeed for: a refusal.
ANYONE = st.integers(0, 4).map(lambda n: n == 0)
#: Session slots (Brussels wall-clock): morning, afternoon, evening.
SLOTS = (time(9, 30), time(14, 0), time(19, 0))
REASON = "Correctie na controle van de aanwezigheden."


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table: a refused step must leave exactly this behind."""
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


def college_machine(app, make, clock, tally: Counter):
    """The state machine, bound to the test's app, factories and fake clock.

    `tally` counts, over all examples, the steps that went through and the enrolments seen
    completed, so the test can tell that the sequences did reach the states that matter.
    """

    class College(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            # A fresh College per example: empty tables, empty queues.
            db.session.rollback()
            _empty_tables()
            redis_connection(app).flushdb()
            self.editions: list[int] = []
            self.sessions: list[int] = []
            #: Did anything change since the promises were last checked? A refused step
            #: changes nothing (`request` makes sure), so the check would find the same.
            self.changed = True

        # ---- the world -------------------------------------------------------------------

        @initialize(
            min_attendance_pct=st.sampled_from([0, 50, 100]),
            module_count=st.integers(0, 2),
            modules_required=st.booleans(),
            with_quiz=st.booleans(),
            capacity=st.integers(1, 3),
            sessions=st.integers(1, 2),
            enrolled=st.integers(0, 4),
        )
        def a_course(self, min_attendance_pct, module_count, modules_required, with_quiz,
                     capacity, sessions, enrolled):
            """The organiser, its staff, four learners, a course with its rule, and an edition."""
            # Each sequence starts at 8 o'clock on a new morning: the first session is at 9:30.
            clock.move_to(timeutil.brussels(timeutil.today() + timedelta(days=1), time(8, 0)))
            self.hub = make.organiser()
            self.coordinator = make.coordinator(self.hub)
            self.trainer = make.trainer(self.hub)
            self.learners = [make.learner(Kind.CAREGIVER), make.learner(Kind.CAREGIVER),
                             make.learner(Kind.PROFESSIONAL), make.learner(Kind.PROFESSIONAL)]
            self.course = make.course(self.hub, open_to_caregivers=True,
                                      open_to_professionals=True,
                                      min_attendance_pct=min_attendance_pct,
                                      modules_required=modules_required, allow_companion=True)
            self.modules = [
                modules.create_module(self.coordinator, self.course.id, title=f"Module {n}",
                                      body_markdown="Wat je kunt doen.", minutes=10).id
                for n in range(module_count)
            ]
            self.quiz = None
            if with_quiz:
                quiz_authoring.save_quiz_settings(self.coordinator, self.course.id, pass_pct=100)
                quiz_authoring.save_question(
                    self.coordinator, self.course.id, text="Wat is respijtzorg?",
                    kind=QuestionKind.SINGLE,
                    choices=[ChoiceInput("Tijdelijke overname van de zorg", True),
                             ChoiceInput("Een premie", False)])
                quiz = current_quiz(self.course.id, with_questions=True)
                question = quiz.questions[0]
                self.quiz = {
                    "question": question.id,
                    True: next(c.id for c in question.choices if c.correct),
                    False: next(c.id for c in question.choices if not c.correct),
                }
            db.session.commit()
            self.first_day = timeutil.today()
            # A head start: the sequences begin with an edition that has sessions planned.
            first = self.add_edition(capacity, starts_in=0, days=sessions - 1)
            for day in range(sessions):
                self.add_session(first, day, slot=0)
            for learner in self.learners[:enrolled]:
                self.request(lambda learner=learner: enrolling.enrol_learner(
                    edition_id=first.id, actor=learner))

        # ---- one request -----------------------------------------------------------------

        def request(self, *calls) -> bool:
            """Run the calls as one request: commit after success; after a refusal, roll back
            and make sure nothing changed. Then run the certificate jobs it queued."""
            step = sys._getframe(1).f_code.co_name  # the rule that asks, for the tally
            before = _snapshot()
            try:
                for call in calls:
                    call()
            except ServiceError:
                db.session.rollback()
                db.session.info.pop("kept_if_refused", None)
                assert _snapshot() == before, "a refused step changed rows"
                tally[f"{step} refused"] += 1
                return False
            db.session.info.pop("kept_if_refused", None)
            db.session.commit()
            tally[step] += 1
            self.changed = True
            self.run_certificate_jobs()
            return True

        def run_certificate_jobs(self) -> None:
            """What the worker does with the queued certificates: the job's own function."""
            queued = db.session.scalars(
                select(Certificate.id).where(Certificate.status == CertificateStatus.QUEUED)
            ).all()
            # WeasyPrint reads its sRGB profile without closing the file (see
            # `rendering.warm_up`); in a worker that happens in the work horse.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                for certificate_id in queued:
                    certificate_tasks.render_certificate(certificate_id)
            db.session.commit()

        def pick(self, items: list, index: int):
            return items[index % len(items)]

        def seated(self, edition_id: int | None = None) -> list:
            """The learners holding a seat (in an edition, or in any edition of the course)."""
            query = select(Enrolment.learner_id).where(Enrolment.status.in_(oracle.SEATED))
            if edition_id is not None:
                query = query.where(Enrolment.edition_id == edition_id)
            ids = set(db.session.scalars(query))
            return [learner for learner in self.learners if learner.id in ids]

        def someone(self, index: int, anyone: bool, edition_id: int | None = None):
            """Mostly a learner with a seat (the ones who can get somewhere), sometimes anyone;
            None when nobody has a seat yet."""
            learners = self.learners if anyone else self.seated(edition_id)
            return self.pick(learners, index) if learners else None

        def session(self, index: int, anyone: bool) -> int:
            """Mostly a session whose attendance can be recorded now, sometimes any session."""
            sessions = [session for session in db.session.scalars(
                select(TrainingSession).where(TrainingSession.id.in_(self.sessions))
                .order_by(TrainingSession.id))
                if anyone or codes.opens_at(session) <= timeutil.now()]
            return self.pick([s.id for s in sessions] or self.sessions, index)

        def edition(self, index: int) -> Edition:
            return db.session.get(Edition, self.pick(self.editions, index))

        # ---- the steps ---------------------------------------------------------------------

        @precondition(lambda self: len(self.editions) < 3)
        @rule(capacity=st.integers(0, 3), starts_in=st.integers(0, 3), days=st.integers(0, 2))
        def create_edition(self, capacity, starts_in, days):
            self.add_edition(capacity, starts_in, days)

        def add_edition(self, capacity: int, starts_in: int, days: int) -> Edition | None:
            starts_on = timeutil.today() + timedelta(days=starts_in)
            made = []
            self.request(lambda: made.append(catalogue.create_edition(
                self.coordinator, self.course, capacity=capacity, place="Gent",
                starts_on=starts_on, ends_on=starts_on + timedelta(days=days),
                trainer_ids=[self.trainer.id])))
            self.editions += [edition.id for edition in made]
            return made[0] if made else None

        @precondition(lambda self: self.editions and len(self.sessions) < 8)
        @rule(edition=st.integers(0, 2), day=st.integers(0, 3), slot=st.integers(0, 2))
        def create_session(self, edition, day, slot):
            self.add_session(self.edition(edition), day, slot)

        def add_session(self, edition: Edition, day: int, slot: int) -> None:
            """A session on a day of the edition (one past its last day: refused)."""
            made = []
            self.request(lambda: made.append(catalogue.create_session(
                self.coordinator, edition, day=self.day_of(edition, day),
                starts=SLOTS[slot], ends=SLOTS[slot].replace(hour=SLOTS[slot].hour + 2),
                room="Zaal 1")))
            self.sessions += [session.id for session in made]

        @staticmethod
        def day_of(edition: Edition, day: int) -> date:
            """The edition's day `day`, counted from its first; 3 is the day after its last."""
            span = (edition.ends_on - edition.starts_on).days
            return edition.starts_on + timedelta(days=span + 1 if day == 3 else min(day, span))

        @precondition(lambda self: self.sessions)
        @rule(session=st.integers(0, 7), day=st.integers(0, 3), slot=st.integers(0, 2))
        def move_session(self, session, day, slot):
            session = db.session.get(TrainingSession, self.pick(self.sessions, session))
            edition = db.session.get(Edition, session.edition_id)
            self.request(lambda: catalogue.update_session(
                self.coordinator, session, day=self.day_of(edition, day),
                starts=SLOTS[slot], ends=SLOTS[slot].replace(hour=SLOTS[slot].hour + 2)))

        @precondition(lambda self: self.editions)
        @rule(learner=st.integers(0, 3), edition=st.integers(0, 2), companion=st.booleans())
        def enrol(self, learner, edition, companion=False):
            """A learner enrols, caregivers maybe with the person they care for (two seats)."""
            learner, edition_id = self.learners[learner], self.pick(self.editions, edition)
            self.request(lambda: enrolling.enrol_learner(edition_id=edition_id, actor=learner,
                                                         companion=companion))

        @precondition(lambda self: self.sessions)
        @rule(learner=st.integers(0, 3), session=st.integers(0, 7), anyone=ANYONE)
        def walk_in(self, learner, session, anyone):
            learner, session_id = self.learners[learner], self.session(session, anyone)
            self.request(lambda: admit_walk_in(session_id=session_id, actor=self.trainer,
                                               email=learner.email))

        @precondition(lambda self: self.editions)
        @rule(learner=st.integers(0, 3), edition=st.integers(0, 2), by_coordinator=st.booleans())
        def cancel(self, learner, edition, by_coordinator):
            learner, edition_id = self.learners[learner], self.pick(self.editions, edition)
            found = db.session.scalar(
                select(Enrolment.id).where(Enrolment.learner_id == learner.id,
                                           Enrolment.edition_id == edition_id)
                .order_by(Enrolment.id.desc()).limit(1))
            if found is None:
                return
            actor = self.coordinator if by_coordinator else learner
            self.request(lambda: enrolling.cancel_enrolment(enrolment_id=found, actor=actor))

        @precondition(lambda self: self.editions)
        @rule(learner=st.integers(0, 3), edition=st.integers(0, 2))
        def enrol_by_coordinator(self, learner, edition):
            learner, edition_id = self.learners[learner], self.pick(self.editions, edition)
            self.request(lambda: enrolling.enrol_learner(edition_id=edition_id,
                                                         actor=self.coordinator,
                                                         email=learner.email))

        @precondition(lambda self: self.editions)
        @rule(edition=st.integers(0, 2), capacity=st.integers(0, 4))
        def change_capacity(self, edition, capacity):
            edition_id = self.pick(self.editions, edition)
            self.request(lambda: enrolling.change_capacity(
                edition_id=edition_id, capacity=capacity, actor=self.coordinator))

        @precondition(lambda self: self.sessions)
        @rule(session=st.integers(0, 7), anyone=ANYONE,
              marks=st.dictionaries(st.integers(0, 3), STATUSES, min_size=1, max_size=4))
        def record_attendance(self, session, anyone, marks):
            session_id = self.session(session, anyone)
            edition_id = db.session.get(TrainingSession, session_id).edition_id
            learners = self.learners if anyone else self.seated(edition_id)
            records = {learners[index].id: status for index, status in marks.items()
                       if index < len(learners)}
            if not records:
                return
            self.request(lambda: record_attendance(session_id=session_id, records=records,
                                                   actor=self.trainer))

        @precondition(lambda self: self.modules)
        @rule(learner=st.integers(0, 3), anyone=ANYONE, module=st.integers(0, 1))
        def finish_module(self, learner, anyone, module):
            learner, module_id = self.someone(learner, anyone), self.pick(self.modules, module)
            if learner is None:
                return
            self.request(lambda: modules.complete_module(learner, self.course.id, module_id))

        @precondition(lambda self: self.quiz)
        @rule(learner=st.integers(0, 3), anyone=ANYONE, right=st.booleans())
        def take_quiz(self, learner, anyone, right):
            learner = self.someone(learner, anyone)
            if learner is None:
                return
            started = []
            # Two requests, as on the quiz page: start, then hand in the answer.
            if self.request(lambda: started.append(attempts.start_attempt(learner, self.course.id))):
                answer = {self.quiz["question"]: [self.quiz[right]]}
                attempt_id = started[0].id
                self.request(lambda: attempts.submit_attempt(learner, attempt_id, answer))

        @rule(certificate=st.integers(0, 10), reissue=st.booleans())
        def revoke_or_reissue(self, certificate, reissue):
            ids = db.session.scalars(select(Certificate.id).order_by(Certificate.id)).all()
            if not ids:
                return
            certificate_id = self.pick(ids, certificate)
            change = certificates.reissue_certificate if reissue else certificates.revoke_certificate
            self.request(lambda: change(certificate_id, self.coordinator, REASON))

        @rule(hours=st.sampled_from([1, 2, 3, 6, 12, 24, 48]))
        def time_passes(self, hours):
            """The clock moves on; the worker's periodic job completes finished editions."""
            clock.advance(timedelta(hours=hours))
            tally["time_passes"] += 1
            self.changed = True
            completion_tasks.complete_finished_editions()
            offer_tasks.expire_offers()
            self.run_certificate_jobs()

        @precondition(lambda self: self.editions)
        @rule(edition=st.integers(0, 2), offer=st.booleans(), hours=st.sampled_from([1, 6, 48]))
        def choose_waitlist_mode(self, edition, offer, hours):
            """The coordinator moves people up automatically, or offers freed seats."""
            edition_id = self.pick(self.editions, edition)
            self.request(lambda: offering.change_waitlist_mode(
                edition_id=edition_id, actor=self.coordinator,
                mode="offer" if offer else "automatic", hold_hours=hours))

        @precondition(lambda self: self.editions)
        @rule(learner=st.integers(0, 3), accept=st.booleans(), by_coordinator=st.booleans())
        def answer_offer(self, learner, accept, by_coordinator):
            """The learner (or a coordinator they phoned) takes or declines a held seat."""
            learner = self.learners[learner]
            offer_id = db.session.scalar(
                select(WaitlistOffer.id).join(Enrolment, Enrolment.id == WaitlistOffer.enrolment_id)
                .where(Enrolment.learner_id == learner.id)
                .order_by(WaitlistOffer.id.desc()).limit(1))
            if offer_id is None:
                return
            actor = self.coordinator if by_coordinator else learner
            self.request(lambda: offering.answer_offer(
                offering.offer_to_answer(offer_id=offer_id, actor=actor), accept=accept,
                actor=actor))

        # ---- the promises ------------------------------------------------------------------

        @invariant()
        def check_promises(self):
            if not hasattr(self, "course") or not self.changed:
                return
            self.changed = False
            db.session.commit()  # read what is committed, as the next request would
            rows = oracle.Rows.load()
            now = timeutil.now()
            tally["completed"] += sum(1 for e in rows.enrolments
                                      if e.status == EnrolmentStatus.COMPLETED)
            tally["certificates"] += len(rows.certificates)
            self.check_seats(rows)
            self.check_completion_and_certificates(rows, now)
            self.check_organiser_dashboard(rows)
            self.check_edition_dashboards(rows)

        def check_seats(self, rows: oracle.Rows) -> None:
            for edition in rows.editions.values():
                mine = [e for e in rows.enrolments if e.edition_id == edition.id]
                seated = sum(e.seats for e in mine if e.status in oracle.SEATED)
                held = rows.held_seats(edition.id)
                by_id = {e.id: e for e in mine}
                held_seats = sum(by_id[o.enrolment_id].seats for o in held)
                assert edition.seats_taken == seated + held_seats <= edition.capacity, (
                    f"edition {edition.id}: {edition.seats_taken} seats taken, {seated} seated, "
                    f"{len(held)} held by offers, capacity {edition.capacity}")
                # An offer is held for someone still waiting, once at most, and never beyond
                # its deadline (the clock moves only in time_passes, which runs the expiry).
                assert all(by_id[o.enrolment_id].status == EnrolmentStatus.WAITLISTED
                           for o in held)
                assert len({o.enrolment_id for o in held}) == len(held)
                assert all(o.expires_at > timeutil.now() for o in held)
                positions = sorted(e.waitlist_position for e in mine
                                   if e.status == EnrolmentStatus.WAITLISTED)
                assert positions == list(range(1, len(positions) + 1)), positions
                assert edition.waitlist_length == len(positions)

        def check_completion_and_certificates(self, rows: oracle.Rows, now) -> None:
            by_id = {e.id: e for e in rows.enrolments}
            for enrolment in rows.enrolments:
                live = rows.live_certificates(enrolment.id)
                assert len(live) <= 1, f"enrolment {enrolment.id} has {len(live)} live certificates"
                if enrolment.status in oracle.SEATED:
                    rule = oracle.verdict(rows, enrolment, now)
                    completed = enrolment.status == EnrolmentStatus.COMPLETED
                    assert completed == rule.complete, (
                        f"enrolment {enrolment.id} is {enrolment.status.value}, but the rule "
                        f"says complete={rule.complete}: {rule}")
                if enrolment.status == EnrolmentStatus.COMPLETED and not live:
                    latest = max((c for c in rows.certificates if c.enrolment_id == enrolment.id),
                                 key=lambda c: c.id, default=None)
                    assert latest is not None and latest.revoked_by_id is not None, (
                        f"completed enrolment {enrolment.id} has no certificate")
            for certificate in rows.certificates:
                if certificate.status == CertificateStatus.REVOKED:
                    continue
                assert certificate.status == CertificateStatus.ISSUED, certificate.error
                assert by_id[certificate.enrolment_id].status == EnrolmentStatus.COMPLETED, (
                    f"certificate {certificate.id} of an enrolment that is not completed")
                sessions = rows.sessions_of(certificate.edition_id)
                assert all(s.ends_at <= now for s in sessions), (
                    f"certificate {certificate.id} while a session is still to come")

        def check_organiser_dashboard(self, rows: oracle.Rows) -> None:
            end = timeutil.today() + timedelta(days=30)
            # Every edition, and (when some started before it) a period that leaves the first
            # ones out: their learners are then the cohort's returning learners.
            periods = [(self.first_day - timedelta(days=1), end)]
            split = self.first_day + timedelta(days=2)
            if any(e.starts_on < split for e in rows.editions.values()):
                periods.append((split, end))
            for start, end in periods:
                # The figures the pages show, kept in Redis until a change they count: after
                # every step they are the live computation's.
                shown = figures_cache.organiser_figures(self.hub.id, Period(start, end))
                assert shown == organiser_dashboard(self.hub.id, Period(start, end)), (start, end)
                counted = oracle.organiser_figures(rows, self.hub.id, start, end)
                figures = lambda f: {name: getattr(f, name) for name in FIGURE_NAMES}  # noqa: E731
                assert figures(shown.total) == counted["total"], (start, end)
                assert {c.id: figures(c.figures) for c in shown.courses} == counted["courses"]
                assert {m: figures(f) for m, f in shown.months} == counted["months"]
                assert {t: figures(f) for t, f in shown.tracks} == counted["tracks"]
                assert shown.reach == counted["reach"]
                assert (shown.new_learners, shown.returning_learners) == (
                    counted["new_learners"], counted["returning_learners"])
                for part in [shown.total, *(c.figures for c in shown.courses),
                             *(f for _, f in shown.months), *(f for _, f in shown.tracks)]:
                    assert part.enrolled >= part.took_part >= part.completed >= part.certified
                    assert part.seats_taken <= part.capacity
                reach = [sum(kinds.values()) for kinds in shown.reach.values()]
                assert reach == sorted(reach, reverse=True), shown.reach

        def check_edition_dashboards(self, rows: oracle.Rows) -> None:
            now = timeutil.now()
            for edition_id in self.editions:
                shown = edition_dashboard(edition_id, self.coordinator)
                seated = [e for e in rows.enrolments
                          if e.edition_id == edition_id and e.status in oracle.SEATED]
                # Each step of the funnel: enrolled, attended enough, modules done, quiz passed,
                # completed, certified; a learner counts in a step when they pass it and all
                # the ones before.
                passed = []
                for e in seated:
                    rule = oracle.verdict(rows, e, now)
                    passed.append((True, rule.attendance_met, rule.modules_met, rule.quiz_met,
                                   e.status == EnrolmentStatus.COMPLETED, rows.issued(e.id)))
                expected = [(key, sum(1 for steps in passed if all(steps[:n + 1])))
                            for n, key in enumerate(EDITION_FUNNEL)]
                assert shown.funnel == expected, (edition_id, shown.funnel, expected)
                counts = [count for _, count in shown.funnel]
                assert counts == sorted(counts, reverse=True)
                assert shown.waitlisted == sum(
                    1 for e in rows.enrolments
                    if e.edition_id == edition_id and e.status == EnrolmentStatus.WAITLISTED)
                assert shown.completed == sum(
                    1 for e in seated if e.status == EnrolmentStatus.COMPLETED)
                assert shown.certificates_issued == sum(1 for e in seated if rows.issued(e.id))
            # Reading a dashboard writes the access log: that is not part of these steps.
            db.session.rollback()
            db.session.info.pop("kept_if_refused", None)

    return College


def test_the_college_keeps_its_promises(app, make, clock):
    """Random sequences of steps, on the real database, keep every invariant after every step."""
    tally: Counter = Counter()
    machine = college_machine(app, make, clock, tally)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                               HealthCheck.filter_too_much],
        print_blob=False,
    ))


def test_the_promises_are_checked_where_it_matters(app, make, clock):
    """A sequence written out by hand reaches what the random ones may miss in a short run:
    refusals, completions with their certificates, a revoked and a reissued one, reopenings
    (a correction of attendance, a session moved to a day still to come).

    The same machine and checks run it, so this shows they look at those states.
    """
    tally: Counter = Counter()
    college = college_machine(app, make, clock, tally)()
    steps = [
        lambda: college.a_course(min_attendance_pct=50, module_count=1, modules_required=True,
                                 with_quiz=True, capacity=1, sessions=1, enrolled=2),
        lambda: college.record_attendance(session=0, anyone=True, marks={0: "present"}),
        lambda: college.time_passes(hours=1),  # 9:00: the check-in window opens at 9:00
        lambda: college.record_attendance(session=0, anyone=False, marks={0: "present"}),
        lambda: college.finish_module(learner=0, anyone=False, module=0),
        lambda: college.take_quiz(learner=0, anyone=False, right=False),
        lambda: college.take_quiz(learner=0, anyone=False, right=True),
        lambda: college.time_passes(hours=3),  # the session has ended
        lambda: college.revoke_or_reissue(certificate=0, reissue=True),
        lambda: college.revoke_or_reissue(certificate=1, reissue=False),
        lambda: college.record_attendance(session=0, anyone=False, marks={0: "absent"}),
        # A second edition over three days, its one session this afternoon: the learner who
        # did the module and the quiz completes it once that session has ended ...
        lambda: college.create_edition(capacity=2, starts_in=0, days=2),
        lambda: college.create_session(edition=1, day=0, slot=1),
        lambda: college.enrol(learner=0, edition=1),
        # A companion needs two seats (one is left) and is for caregivers only; with a third
        # seat the caregiver brings the person they care for.
        lambda: college.enrol(learner=1, edition=1, companion=True),
        lambda: college.enrol(learner=2, edition=1, companion=True),
        lambda: college.change_capacity(edition=1, capacity=3),
        lambda: college.enrol(learner=1, edition=1, companion=True),
        lambda: college.change_capacity(edition=0, capacity=0),
        lambda: college.time_passes(hours=2),
        lambda: college.record_attendance(session=1, anyone=False, marks={0: "present"}),
        lambda: college.time_passes(hours=3),
        # ... and the session moved to the day after tomorrow: not over after all.
        lambda: college.move_session(session=1, day=2, slot=0),
    ]
    for step in steps:
        step()
        college.check_promises()
    assert tally["completed"] and tally["certificates"]
    assert tally["record_attendance refused"] == 1  # before the check-in window opened
    assert tally["change_capacity refused"] == 1  # fewer seats than people enrolled
    assert tally["enrol refused"] == 2  # no room for a companion; a professional asked one
    assert db.session.scalar(select(Edition.seats_taken).where(
        Edition.id == college.editions[1])) == 3
    revoked = db.session.scalars(select(Certificate.revoked_by_id)
                                 .where(Certificate.status == CertificateStatus.REVOKED)).all()
    # Two by the coordinator, one withdrawn when the moved session reopened the enrolment.
    assert revoked == [college.coordinator.id, college.coordinator.id, None]
    assert db.session.scalars(select(Enrolment.status).where(
        Enrolment.learner_id == college.learners[0].id)).all() == [EnrolmentStatus.ENROLLED] * 2


def test_offers_are_checked_where_it_matters(app, make, clock):
    """A sequence written out by hand walks a freed seat down a waiting list in offer mode:
    declined, left to expire, taken, and a second answer refused; the promises hold after each."""
    tally: Counter = Counter()
    college = college_machine(app, make, clock, tally)()
    steps = [
        lambda: college.a_course(min_attendance_pct=0, module_count=0, modules_required=False,
                                 with_quiz=False, capacity=1, sessions=1, enrolled=0),
        lambda: college.create_edition(capacity=1, starts_in=3, days=0),
        lambda: college.create_session(edition=1, day=0, slot=0),
        lambda: college.choose_waitlist_mode(edition=1, offer=True, hours=6),
        *[lambda n=n: college.enrol(learner=n, edition=1) for n in range(4)],
        lambda: college.cancel(learner=0, edition=1, by_coordinator=False),  # offered to 1
        lambda: college.answer_offer(learner=1, accept=False, by_coordinator=False),  # to 2
        lambda: college.time_passes(hours=6),  # 2 said nothing: offered to 3
        lambda: college.answer_offer(learner=3, accept=True, by_coordinator=True),
        lambda: college.answer_offer(learner=3, accept=True, by_coordinator=False),  # refused
    ]
    for step in steps:
        step()
        college.check_promises()
    assert tally["answer_offer"] == 2 and tally["answer_offer refused"] == 1
    outcomes = db.session.scalars(select(WaitlistOffer.outcome).order_by(WaitlistOffer.id)).all()
    assert [o.value for o in outcomes] == ["declined", "expired", "accepted"]
    assert db.session.scalar(select(Enrolment.status).where(
        Enrolment.learner_id == college.learners[3].id)) == EnrolmentStatus.ENROLLED
