"""A data generator for benchmarks: one large organiser with years of activity.

Rows go in by bulk INSERTs; counters (seats taken, waiting lists) are kept consistent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import insert, select

from college import timeutil
from college.accounts.models import Kind, Membership, Organiser, Role, User
from college.accounts.passwords import hash_password
from college.accounts.services import slugify
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession, edition_trainer
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Question,
    QuestionKind,
    Quiz,
)
from college.privacy.notice import current_version

BATCH = 5000


@dataclass
class Sizes:
    learners: int = 5000
    editions: int = 200
    sessions: int = 2000
    attendance: int = 60000
    attempts: int = 10000
    courses: int = 20


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _ids(model, column, **where) -> list[int]:
    query = select(model.id).order_by(model.id)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return list(db.session.scalars(query))


def generate(name: str, sizes: Sizes, seed: int = 7) -> Organiser:
    """Create an organiser with learners, editions, sessions, attendance and quiz attempts."""
    rng = random.Random(seed)  # nosec B311 # noqa: S311 - benchmark data, nothing secret
    now = timeutil.now()
    organiser = Organiser(name=name, slug=slugify(name) + f"-{rng.randrange(10**6)}",
                          municipality="Brugge")
    db.session.add(organiser)
    db.session.flush()
    password = hash_password("generated password")
    agreed = {"email_confirmed_at": now, "consent_version": current_version(), "consented_at": now}
    coordinator = User(email=f"coordinator@{organiser.slug}.example", name="Coördinator",
                       password_hash=password, is_learner=False, **agreed)
    coordinator.memberships = [Membership(organiser_id=organiser.id, role=Role.COORDINATOR)]
    db.session.add(coordinator)
    trainers = [User(email=f"trainer{i}@{organiser.slug}.example", name=f"Lesgever {i}",
                     password_hash=password, is_learner=False, **agreed) for i in range(20)]
    for trainer in trainers:
        trainer.memberships = [Membership(organiser_id=organiser.id, role=Role.TRAINER)]
    db.session.add_all(trainers)
    db.session.flush()

    _bulk(User, [
        {"email": f"learner{i}@{organiser.slug}.example", "name": f"Leerling {i}",
         "password_hash": None, "is_learner": True,  # nosec B105
         "kind": (Kind.CAREGIVER if i % 3 else Kind.PROFESSIONAL).value, "session_version": 1,
         "created_at": now, "language": "nl", **agreed}
        for i in range(sizes.learners)
    ])
    learner_ids = list(db.session.scalars(
        select(User.id).where(User.email.like(f"learner%@{organiser.slug}.example"))
        .order_by(User.id)))

    _bulk(Course, [
        {"organiser_id": organiser.id, "title": f"Vorming {i}", "summary": "", "description": "",
         "open_to_caregivers": i % 2 == 0, "open_to_professionals": i % 2 == 1 or i % 5 == 0,
         "hours": 6, "published": True, "min_attendance_pct": 75, "modules_required": False,
         "quiz_pass_pct": 70, "created_at": now}  # nosec B105
        for i in range(sizes.courses)
    ])
    course_ids = _ids(Course, Course.id, organiser_id=organiser.id)

    per_edition = max(sizes.sessions // sizes.editions, 1)
    enrolled_per_edition = max(sizes.attendance // max(sizes.sessions, 1), 1)
    start = timeutil.today() - timedelta(days=2 * 365)
    editions = []
    for i in range(sizes.editions):
        first = start + timedelta(days=(i * 730) // sizes.editions)
        editions.append({
            "course_id": course_ids[i % len(course_ids)], "venue": "Dienstencentrum",
            "address": "", "place": rng.choice(["Brugge", "Oostende", "Kortrijk", "Roeselare"]),
            "capacity": enrolled_per_edition, "seats_taken": enrolled_per_edition,
            "waitlist_length": 0, "starts_on": first,
            "ends_on": first + timedelta(days=7 * (per_edition - 1)), "created_at": now,
        })
    _bulk(Edition, editions)
    edition_rows = db.session.execute(
        select(Edition.id, Edition.course_id, Edition.starts_on)
        .where(Edition.course_id.in_(course_ids)).order_by(Edition.id)).all()
    _bulk_table(edition_trainer, [
        {"edition_id": edition_id, "user_id": trainers[i % len(trainers)].id}
        for i, (edition_id, _, _) in enumerate(edition_rows)
    ])

    sessions = []
    for edition_id, _, first in edition_rows:
        for n in range(per_edition):
            starts = timeutil.brussels(first + timedelta(days=7 * n), time(14))
            sessions.append({"edition_id": edition_id, "title": "", "room": "Zaal 1",
                             "starts_at": starts, "ends_at": starts + timedelta(hours=2)})
    _bulk(TrainingSession, sessions)
    session_rows = db.session.execute(
        select(TrainingSession.id, TrainingSession.edition_id, TrainingSession.starts_at)
        .where(TrainingSession.edition_id.in_([row[0] for row in edition_rows]))
        .order_by(TrainingSession.id)).all()

    enrolments, members = [], {}
    for edition_id, _, first in edition_rows:
        chosen = rng.sample(learner_ids, enrolled_per_edition)
        members[edition_id] = chosen
        created = timeutil.brussels(first - timedelta(days=rng.randrange(5, 60)), time(10))
        for learner_id in chosen:
            done = first < timeutil.today() - timedelta(days=7 * per_edition) and rng.random() < 0.6
            enrolments.append({
                "learner_id": learner_id, "edition_id": edition_id,
                "status": (EnrolmentStatus.COMPLETED if done else EnrolmentStatus.ENROLLED).value,
                "created_at": created, "completed_at": now if done else None,
            })
    _bulk(Enrolment, enrolments)

    statuses = [AttendanceStatus.PRESENT] * 7 + [AttendanceStatus.LATE, AttendanceStatus.EXCUSED,
                                                 AttendanceStatus.ABSENT]
    attendance = []
    for session_id, edition_id, starts_at in session_rows:
        if starts_at > now:
            continue
        for learner_id in members[edition_id]:
            attendance.append({"session_id": session_id, "learner_id": learner_id,
                               "status": rng.choice(statuses).value, "source": "roster",
                               "recorded_at": starts_at})
    _bulk(Attendance, attendance[: sizes.attendance])

    _generate_quizzes(rng, course_ids, edition_rows, members, sizes.attempts, now)

    completed = db.session.execute(
        select(Enrolment.id, Enrolment.learner_id, Enrolment.edition_id).where(
            Enrolment.edition_id.in_([row[0] for row in edition_rows]),
            Enrolment.status == EnrolmentStatus.COMPLETED)).all()
    _bulk(Certificate, [
        {"enrolment_id": enrolment_id, "learner_id": learner_id, "edition_id": edition_id,
         "status": CertificateStatus.ISSUED.value, "verification_code": f"G{enrolment_id:011d}",
         "created_at": now, "issued_at": now, "render_attempts": 1}
        for enrolment_id, learner_id, edition_id in completed
    ])
    db.session.commit()
    return organiser


def _bulk_table(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(table.insert(), rows[start:start + BATCH])


def _generate_quizzes(rng, course_ids, edition_rows, members, attempts: int, now: datetime):
    quizzes = {}
    for course_id in course_ids:
        quiz = Quiz(course_id=course_id)
        for q in range(5):
            question = Question(quiz=quiz, position=q, kind=QuestionKind.SINGLE,
                                text=f"Vraag {q + 1}")
            question.choices = [Choice(position=c, text=f"Antwoord {c + 1}", correct=c == 0)
                                for c in range(3)]
        db.session.add(quiz)
        quizzes[course_id] = quiz
    db.session.flush()
    plan = []
    for edition_id, course_id, _ in edition_rows:
        for learner_id in members[edition_id]:
            plan.append((quizzes[course_id], learner_id))
    rng.shuffle(plan)
    plan = plan[:attempts]
    seen: dict[tuple[int, int], int] = {}
    rows = []
    for quiz, learner_id in plan:
        number = seen.get((quiz.id, learner_id), 0) + 1
        seen[(quiz.id, learner_id)] = number
        right = rng.randrange(0, 6)
        rows.append({"quiz_id": quiz.id, "learner_id": learner_id, "number": number,
                     "status": AttemptStatus.SUBMITTED.value, "started_at": now,
                     "submitted_at": now, "score_pct": 20.0 * right, "passed": right >= 4,
                     "_right": right})
    _bulk(Attempt, [{k: v for k, v in row.items() if k != "_right"} for row in rows])
    attempt_ids = db.session.execute(
        select(Attempt.id, Attempt.quiz_id, Attempt.learner_id, Attempt.number)
        .where(Attempt.quiz_id.in_([quiz.id for quiz in quizzes.values()]))).all()
    rights = {(row["quiz_id"], row["learner_id"], row["number"]): row["_right"] for row in rows}
    by_id = {quiz.id: quiz for quiz in quizzes.values()}
    answers = []
    for attempt_id, quiz_id, learner_id, number in attempt_ids:
        right = rights[(quiz_id, learner_id, number)]
        for index, question in enumerate(by_id[quiz_id].questions):
            choice = question.choices[0] if index < right else question.choices[1]
            answers.append({"attempt_id": attempt_id, "question_id": question.id,
                            "choice_id": choice.id})
    _bulk(Answer, answers)
