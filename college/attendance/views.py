"""Attendance pages: rosters, history, check-in, sign-in sheets, a learner's own attendance."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from college import timeutil
from college.accounts.models import User
from college.addresses import public_base_url, public_url
from college.attendance import codes, queries
from college.attendance.checkin import check_in, checkin_display
from college.attendance.forms import (
    CheckinForm,
    RosterForm,
    WalkInForm,
    changed_since_shown,
    parse_roster,
)
from college.attendance.models import AttendanceSource, AttendanceStatus
from college.attendance.recording import record_attendance
from college.attendance.walk_in import admit_walk_in
from college.catalogue.models import Edition, TrainingSession
from college.errors import ServiceError
from college.exports import csv_response
from college.forms import attach_error
from college.pdf import render_pdf
from college.security import limit_guesses

bp = Blueprint("attendance", __name__)


def status_label(status: AttendanceStatus | None) -> str:
    """A status in the reader's language; a dash when not recorded."""
    if status is None:
        return _("not recorded")
    return {
        AttendanceStatus.PRESENT: _("present"),
        AttendanceStatus.LATE: _("late"),
        AttendanceStatus.EXCUSED: _("excused"),
        AttendanceStatus.ABSENT: _("absent"),
    }[status]


@bp.app_context_processor
def _attendance_helpers() -> dict:
    return {"attendance_statuses": list(AttendanceStatus), "attendance_label": status_label}


def _staff_session(session_id: int) -> TrainingSession:
    """The session, when the current user runs its edition; else 404 or 403."""
    try:
        session = queries.get_session(session_id)
        queries.ensure_may_teach(current_user, session.edition)
    except ServiceError as error:
        abort(error.status)
    return session


def _staff_edition(edition_id: int) -> Edition:
    try:
        edition = queries.get_edition(edition_id)
        queries.ensure_may_teach(current_user, edition)
    except ServiceError as error:
        abort(error.status)
    return edition


@bp.get("/teaching")
@login_required
def teaching():
    """The editions a trainer teaches (or a coordinator organises), with their sessions."""
    editions = queries.teaching_editions(current_user)
    if not editions and not current_user.memberships:
        abort(403)
    return render_template("attendance/teaching.html", editions=editions, now=timeutil.now(),
                           today=timeutil.today())


@bp.get("/editions/<int:edition_id>/attendance")
@login_required
def edition_overview(edition_id: int):
    """An edition's sessions and, per learner, attendance and what is still missing."""
    edition = _staff_edition(edition_id)
    lines = queries.edition_progress(edition, current_user)
    return render_template("attendance/edition.html", edition=edition, lines=lines)


@bp.get("/editions/<int:edition_id>/attendance.csv")
@login_required
def edition_csv(edition_id: int):
    """The edition's attendance as a spreadsheet: a column per session, a row per learner."""
    edition = _staff_edition(edition_id)
    statuses = queries.edition_statuses(edition)
    header = [_("Learner"), _("Email address")]
    header += [timeutil.local(s.starts_at).strftime("%Y-%m-%d %H:%M") for s in edition.sessions]
    header += [_("Attended"), _("Excused"), _("Attendance %"), _("Completed"), _("Still missing")]
    rows = [
        [learner.name, learner.email or ""]
        + [status_label(statuses[(s.id, learner.id)]) if (s.id, learner.id) in statuses else ""
           for s in edition.sessions]
        + [
            check.attended,
            check.excused,
            "" if check.attendance_pct is None else check.attendance_pct,
            _("yes") if check.status.value == "completed" else _("no"),
            "; ".join(str(item) for item in check.missing_items),
        ]
        for learner, check in queries.edition_progress(edition, current_user, "attendance-export")
    ]
    return csv_response(_("attendance-edition-%(id)s.csv", id=edition.id), header, rows)


def _roster_page(session: TrainingSession, form: RosterForm, chosen: dict[int, str], status=200,
                 walk_in: WalkInForm | None = None):
    lines = queries.roster(session, current_user)
    page = render_template(
        "attendance/roster.html",
        recording_opens=codes.opens_at(session),
        recording_open=timeutil.now() >= codes.opens_at(session),
        session=session,
        edition=session.edition,
        form=form,
        walk_in=walk_in or WalkInForm(formdata=None),
        lines=lines,
        chosen=chosen,
    )
    return page, status


@bp.post("/sessions/<int:session_id>/walk-in")
@login_required
def walk_in(session_id: int):
    """Enrol someone who came without enrolling (a seat must be free) and mark them present."""
    session = _staff_session(session_id)
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            learner = form.create_once(User, lambda: admit_walk_in(
                session_id=session.id, actor=current_user, email=form.email.data,
                name=form.name.data, kind=form.kind.data,
            ))
        except ServiceError as error:
            attach_error(form, error)
            session = _staff_session(session_id)  # a refusal may have rolled the session back
            return _roster_page(session, RosterForm(formdata=None), {}, error.status, form)
        flash(_("%(name)s is enrolled and marked present.", name=learner.name), "success")
        return redirect(url_for("attendance.roster", session_id=session.id))
    return _roster_page(session, RosterForm(formdata=None), {}, 422, form)


@bp.route("/sessions/<int:session_id>/roster", methods=["GET", "POST"])
@login_required
def roster(session_id: int):
    """Record a session's attendance in one form: everyone present, then the exceptions."""
    session = _staff_session(session_id)
    form = RosterForm()
    if form.validate_on_submit():
        try:
            chosen = parse_roster(request.form)
            records = changed_since_shown(request.form, chosen)
            if request.form.get("rest") == AttendanceStatus.PRESENT.value:
                for learner in queries.seated_learners(session.edition_id):
                    if learner.id not in chosen:
                        records[learner.id] = AttendanceStatus.PRESENT.value
            changed = (
                record_attendance(
                    session_id=session.id,
                    records=records,
                    actor=current_user,
                    source=AttendanceSource.ROSTER,
                )
                if records or not chosen
                else []
            )
        except ServiceError as error:
            attach_error(form, error)
            submitted = {
                key.removeprefix("status-"): value
                for key, value in request.form.items()
                if key.startswith("status-")
            }
            return _roster_page(session, form, submitted, error.status)
        flash(
            ngettext("Attendance saved: %(num)d change.", "Attendance saved: %(num)d changes.",
                     len(changed))
            if changed
            else _("Attendance saved: nothing changed."),
            "success",
        )
        return redirect(url_for("attendance.roster", session_id=session.id))
    if form.is_submitted():
        return _roster_page(session, form, {}, 400)
    chosen = {}
    if request.args.get("preset") == AttendanceStatus.PRESENT.value:
        chosen = {"*": AttendanceStatus.PRESENT.value}
    return _roster_page(session, form, chosen)


@bp.get("/sessions/<int:session_id>/roster.csv")
@login_required
def roster_csv(session_id: int):
    """The session's roster as a spreadsheet."""
    session = _staff_session(session_id)
    rows = [
        (
            line.learner.name,
            line.learner.email or "",
            status_label(line.status) if line.attendance else "",
            line.attendance.source.value if line.attendance else "",
            timeutil.local(line.attendance.recorded_at).strftime("%Y-%m-%d %H:%M")
            if line.attendance
            else "",
        )
        for line in queries.roster(session, current_user, "attendance-export")
    ]
    day = timeutil.local(session.starts_at).strftime("%Y-%m-%d")
    return csv_response(
        _("attendance-session-%(id)s-%(day)s.csv", id=session.id, day=day),
        [_("Learner"), _("Email address"), _("Status"), _("Recorded by way of"), _("Recorded at")],
        rows,
    )


@bp.get("/sessions/<int:session_id>/history")
@login_required
def history(session_id: int):
    """Every change of a session's attendance: who changed what, from which status, when."""
    session = _staff_session(session_id)
    return render_template(
        "attendance/history.html",
        session=session,
        edition=session.edition,
        changes=queries.history(session.id, current_user),
    )


@bp.get("/sessions/<int:session_id>/sign-in-sheet.pdf")
@login_required
def sign_in_sheet(session_id: int):
    """A printable sign-in sheet: one line with a signature box per enrolled learner."""
    session = _staff_session(session_id)
    course = session.edition.course
    pdf = render_pdf(
        "attendance/sign_in_sheet.html",
        title=_("Sign-in sheet: %(course)s", course=course.title),
        author=_("Caregivers College"),
        language=str(get_locale() or "nl"),
        session=session,
        edition=session.edition,
        course=course,
        lines=queries.roster(session, current_user, "attendance-export"),
    )
    day = timeutil.local(session.starts_at).strftime("%Y-%m-%d")
    return current_app.response_class(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="{}"'.format(
            _("sign-in-sheet-%(id)s-%(day)s.pdf", id=session.id, day=day))},
    )


def _checkin_url(session_id: int, code: str) -> str:
    path = url_for("attendance.checkin_session", session_id=session_id, code=code)
    return public_base_url() + path


@bp.get("/sessions/<int:session_id>/checkin-code")
@login_required
def checkin_code(session_id: int):
    """The trainer's screen: the rotating code and its QR code, refreshed by the browser."""
    session = _staff_session(session_id)
    try:
        display = checkin_display(
            session_id=session.id, actor=current_user, url_for_code=_checkin_url
        )
    except ServiceError as error:
        return render_template(
            "attendance/checkin_code.html", session=session, edition=session.edition,
            display=None, message=error.message,
        ), error.status
    qr_svg = segno.make(display.url, error="m").svg_inline(scale=8, omitsize=True)
    return render_template(
        "attendance/checkin_code.html",
        session=session,
        edition=session.edition,
        display=display,
        qr_svg=qr_svg,
        checkin_address=public_url("attendance.checkin"),
        message=None,
    )


def _login_first():
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _checkin_page(form: CheckinForm, session: TrainingSession | None = None, status: int = 200):
    return render_template("attendance/checkin.html", form=form, session=session), status


@bp.route("/checkin", methods=["GET", "POST"])
@limit_guesses("checkin")
def checkin():
    """A learner types the code the trainer shows and is marked present."""
    if not current_user.is_authenticated:
        return _login_first()
    form = CheckinForm()
    if form.validate_on_submit():
        try:
            session = check_in(learner=current_user, code=form.code.data)
        except ServiceError as error:
            attach_error(form, error)
            return _checkin_page(form, status=error.status)
        return _checked_in(session)
    return _checkin_page(form, status=422 if form.is_submitted() else 200)


@bp.route("/checkin/<int:session_id>", methods=["GET", "POST"])
@limit_guesses("checkin")
def checkin_session(session_id: int):
    """The QR code's link: confirm with one tap and the learner is marked present."""
    if not current_user.is_authenticated:
        return _login_first()
    try:
        session = queries.get_session(session_id)
    except ServiceError as error:
        abort(error.status)
    form = CheckinForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        try:
            check_in(learner=current_user, code=form.code.data, session_id=session.id)
        except ServiceError as error:
            attach_error(form, error)
            return _checkin_page(form, session, error.status)
        return _checked_in(session)
    return _checkin_page(form, session, 422 if form.is_submitted() else 200)


def _checked_in(session: TrainingSession):
    flash(_("You are checked in. Welcome!"), "success")
    return redirect(url_for("attendance.my_attendance", _anchor=f"edition-{session.edition_id}"))


@bp.get("/my/attendance")
@login_required
def my_attendance():
    """A learner's own attendance per edition, and how many sessions they may still miss."""
    return render_template(
        "attendance/my_attendance.html",
        editions=queries.learner_attendance(current_user.id),
    )
