"""Respite with the training: the caregiver asks it with an enrolment, the hub asks one of its
partners, the partner confirms (with the helper's first name) or declines by a signed link,
and the caregiver is told each time the state of a session changes.

The care details (where, mobility, language, a note) are health-related: only the caregiver,
the organiser's coordinators and the partner asked see them; staff reading them is logged;
they go with the learner's erasure and `RESPITE_RETENTION_DAYS` after the edition ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from college import policy, timeutil
from college.accounts.models import Organiser, User
from college.accounts.services import normalise_email, normalise_phone
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.enrolment.notifications import write_notification
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.jobs import enqueue_after_commit
from college.privacy.access import record_access
from college.regions.models import Municipality
from college.respite import links
from college.respite.models import (
    HUB_STATES,
    KIND_LABELS,
    OPEN_STATES,
    STATE_LABELS,
    PartnerMunicipality,
    RespiteKind,
    RespitePartner,
    RespiteRequest,
    RespiteSession,
    RespiteState,
)

#: Enrolments respite can be asked for: a seat or a place on the waiting list.
ASKABLE_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)


def _text(value: str | None, most: int, field: str, message: str) -> str:
    text = " ".join((value or "").split())
    if len(text) > most:
        raise Invalid(message, field=field)
    return text


def _kind(value: str | RespiteKind | None) -> RespiteKind:
    try:
        return value if isinstance(value, RespiteKind) else RespiteKind(value)
    except ValueError as error:
        raise Invalid(_("Choose the kind of help you need."), field="respite_kind") from error


# ---- partners ----------------------------------------------------------------------------


def _organiser_to_manage(actor: User, organiser_id: int) -> Organiser:
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None or not policy.is_staff(actor, organiser_id):
        raise NotFound(_("This organiser does not exist."))
    if not policy.can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can manage its respite partners."))
    return organiser


def partners_of(organiser_id: int, viewer: User) -> list[RespitePartner]:
    """The organiser's respite partners by name, with the municipalities they serve."""
    _organiser_to_manage(viewer, organiser_id)
    return list(db.session.scalars(
        select(RespitePartner).where(RespitePartner.organiser_id == organiser_id)
        .options(selectinload(RespitePartner.municipalities))
        .order_by(RespitePartner.name, RespitePartner.id)))


def partner_to_manage(partner_id: int, actor: User) -> RespitePartner:
    """One of the actor's organiser's partners; another organiser's is refused as missing."""
    partner = db.session.scalar(
        select(RespitePartner).where(RespitePartner.id == partner_id)
        .options(selectinload(RespitePartner.municipalities)))
    if partner is None or not policy.is_staff(actor, partner.organiser_id):
        raise NotFound(_("This respite partner does not exist."), field="partner_id")
    _organiser_to_manage(actor, partner.organiser_id)
    return partner


def save_partner(*, organiser_id: int, actor: User, name: str | None, email: str | None,
                 phone: str | None, kinds: Iterable[str], municipality_ids: Iterable[int],
                 partner_id: int | None = None) -> RespitePartner:
    """Add a respite partner to the organiser, or change one of its partners."""
    if partner_id is not None:
        partner = partner_to_manage(partner_id, actor)
        if partner.organiser_id != organiser_id:
            raise NotFound(_("This respite partner does not exist."), field="partner_id")
    else:
        _organiser_to_manage(actor, organiser_id)
        partner = RespitePartner(organiser_id=organiser_id)
    name = _text(name, 200, "name", _("Give the partner's name (at most 200 characters)."))
    if not name:
        raise Invalid(_("Give the partner's name (at most 200 characters)."), field="name")
    try:
        address = normalise_email(email)
    except Invalid as error:
        error.field = "email"
        raise
    if address is None:
        raise Invalid(_("Give the email address where the partner receives requests."),
                      field="email")
    wanted = list(dict.fromkeys(kinds))
    if not wanted or any(key not in {kind.value for kind in RespiteKind} for key in wanted):
        raise Invalid(_("Tick the kinds of help the partner gives."), field="kinds")
    chosen = set(municipality_ids)
    known = set(db.session.scalars(select(Municipality.id).where(Municipality.id.in_(chosen))))
    if known != chosen:
        raise Invalid(_("Choose the municipalities from the list."), field="municipality_ids")
    partner.name, partner.email, partner.phone = name, address, normalise_phone(phone)
    partner.kinds = " ".join(wanted)
    db.session.add(partner)
    db.session.flush()
    db.session.execute(delete(PartnerMunicipality).where(PartnerMunicipality.partner_id == partner.id))
    for municipality_id in sorted(known):
        db.session.add(PartnerMunicipality(partner_id=partner.id, municipality_id=municipality_id))
    db.session.flush()
    db.session.expire(partner, ["municipalities"])
    return partner_to_manage(partner.id, actor)


def delete_partner(*, partner_id: int, actor: User) -> int:
    """Remove a partner; sessions it arranged keep their state. Returns the organiser's id."""
    partner = partner_to_manage(partner_id, actor)
    organiser_id = partner.organiser_id
    db.session.delete(partner)
    db.session.flush()
    return organiser_id


# ---- the caregiver asks ------------------------------------------------------------------


def _enrolment_with_edition(enrolment_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.id == enrolment_id)
        .options(selectinload(Enrolment.learner),
                 selectinload(Enrolment.edition).selectinload(Edition.course)
                 .selectinload(Course.organiser),
                 selectinload(Enrolment.edition).selectinload(Edition.sessions)))


def _enrolment_for(actor: User, enrolment_id: int) -> Enrolment:
    """The enrolment the actor may ask respite for: their own, or (staff of the edition) one of
    its learners'. A stranger's is refused as missing."""
    enrolment = _enrolment_with_edition(enrolment_id)
    if enrolment is None:
        raise NotFound(_("This enrolment does not exist."))
    if actor.id != enrolment.learner_id and not policy.can_teach_edition(
            actor, enrolment.edition_id, enrolment.edition.course):
        raise NotFound(_("This enrolment does not exist."))
    return enrolment


def request_respite(*, enrolment_id: int, actor: User, kind: str | RespiteKind | None,
                    municipality_id: int | None, consent: bool,
                    session_ids: Iterable[int] | None = None, address: str | None = "",
                    mobility: str | None = "", language: str | None = "",
                    note: str | None = "") -> RespiteRequest:
    """Ask that someone takes over the care during the chosen sessions (all that have not begun
    when none are chosen); the hub sees it on its respite board."""
    enrolment = _enrolment_for(actor, enrolment_id)
    edition = enrolment.edition
    course = edition.course
    if not course.offers_respite:
        raise Invalid(_("This training does not offer respite. Ask the organiser what is "
                        "possible."), field="respite")
    if enrolment.status not in ASKABLE_STATUSES:
        raise Conflict(_("This enrolment is cancelled or completed, so respite cannot be asked "
                         "for it."))
    if db.session.scalar(select(RespiteRequest.id).where(
            RespiteRequest.enrolment_id == enrolment.id)) is not None:
        raise Conflict(_("Respite was already asked for this enrolment. The organiser can "
                         "change it."))
    now = timeutil.now()
    sessions = {session.id: session for session in edition.sessions}
    if session_ids is None or not list(session_ids):
        chosen = [s for s in sessions.values() if s.starts_at > now]
    else:
        wanted = list(dict.fromkeys(session_ids))
        if any(session_id not in sessions for session_id in wanted):
            raise Invalid(_("Choose sessions of this edition."), field="respite_sessions")
        chosen = [sessions[session_id] for session_id in wanted]
        if any(session.starts_at <= now for session in chosen):
            raise Invalid(_("A session you chose has already begun: respite can only be asked "
                            "before a session begins."), field="respite_sessions")
    if not chosen:
        raise Invalid(_("No session of this edition is still to come, so respite cannot be "
                        "asked any more."), field="respite_sessions")
    kind = _kind(kind)
    if kind == RespiteKind.BRING_ALONG and not course.allow_companion:
        raise Invalid(_("The person you care for cannot come along to this training. Choose "
                        "another kind of help."), field="respite_kind")
    municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is None:
        raise Invalid(_("Choose the municipality where care is needed."),
                      field="respite_municipality_id")
    address = _text(address, 300, "respite_address", _("The address is too long (at most 300 "
                                                       "characters)."))
    if not address and kind in (RespiteKind.COMPANY, RespiteKind.PERSONAL_CARE):
        raise Invalid(_("Give the address where the helper comes."), field="respite_address")
    mobility = _text(mobility, 200, "respite_mobility", _("Say it in at most 200 characters."))
    language = _text(language, 60, "respite_language", _("Say it in at most 60 characters."))
    note = _text(note, 500, "respite_note", _("Say it in at most 500 characters."))
    if consent is not True:
        raise Invalid(_("Agree that we share what the helper needs to know with the respite "
                        "partner; without it we cannot arrange respite."), field="respite_consent")
    request = RespiteRequest(
        enrolment_id=enrolment.id, kind=kind, municipality_id=municipality.id, address=address,
        mobility=mobility, language=language, note=note, consent_at=now,
        requested_by_id=None if actor.id == enrolment.learner_id else actor.id)
    request.sessions = [RespiteSession(session_id=session.id, changed_at=now)
                        for session in sorted(chosen, key=lambda s: s.starts_at)]
    db.session.add(request)
    db.session.flush()
    return request


# ---- what the caregiver, the hub and the partner see -------------------------------------


def _with_sessions():
    return selectinload(RespiteRequest.sessions).selectinload(RespiteSession.session)


def _with_partner():
    return selectinload(RespiteRequest.sessions).selectinload(RespiteSession.partner)


def requests_of_learner(learner_id: int) -> dict[int, RespiteRequest]:
    """The learner's respite requests by enrolment id (for "My trainings", in a fixed number of
    queries)."""
    rows = db.session.scalars(
        select(RespiteRequest).join(Enrolment, Enrolment.id == RespiteRequest.enrolment_id)
        .where(Enrolment.learner_id == learner_id)
        .options(_with_sessions(), _with_partner()))
    return {request.enrolment_id: request for request in rows}


def request_as_asked(request_id: int) -> RespiteRequest:
    """A request just made, with its sessions: the answer to whoever asked it (the caregiver, or
    the edition's staff who asked on their behalf and typed the details in)."""
    return db.session.scalar(select(RespiteRequest).where(RespiteRequest.id == request_id)
                             .options(_with_sessions(), _with_partner()))


def request_to_read(request_id: int, viewer: User) -> RespiteRequest:
    """A request with its care details: the caregiver's own, or (logged) for the organiser's
    coordinators. Anyone else is refused as if it did not exist."""
    request = db.session.scalar(
        select(RespiteRequest).where(RespiteRequest.id == request_id)
        .options(_with_sessions(), _with_partner(),
                 selectinload(RespiteRequest.enrolment).selectinload(Enrolment.edition)
                 .selectinload(Edition.course)))
    if request is None:
        raise NotFound(_("This respite request does not exist."))
    enrolment = request.enrolment
    if viewer.id != enrolment.learner_id:
        organiser_id = enrolment.edition.course.organiser_id
        if not policy.is_staff(viewer, organiser_id):
            raise NotFound(_("This respite request does not exist."))
        if not policy.can_manage_organiser(viewer, organiser_id):
            raise NotAllowed(_("Only the organiser's coordinators see respite requests."))
        record_access(viewer, [enrolment.learner_id], "respite")
    return request


@dataclass
class BoardRow:
    """A request on the respite board: the learner, the course, and its sessions."""

    request: RespiteRequest
    learner: User
    course: Course
    edition: Edition
    first_session_at: datetime

    @property
    def still_needed(self) -> list[RespiteSession]:
        """The sessions still to arrange (new or asked) that have not begun."""
        now = timeutil.now()
        return [s for s in self.request.sessions
                if s.state in OPEN_STATES and s.session.starts_at > now]


def _board(viewer: User, organiser_id: int, where) -> list[BoardRow]:
    if not policy.can_manage_organiser(viewer, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators see respite requests."))
    first = (select(RespiteSession.request_id,
                    func.min(TrainingSession.starts_at).label("first_at"))
             .join(TrainingSession, TrainingSession.id == RespiteSession.session_id)
             .group_by(RespiteSession.request_id).subquery())
    rows = db.session.execute(
        select(RespiteRequest, User, Course, Edition, first.c.first_at)
        .join(first, first.c.request_id == RespiteRequest.id)
        .join(Enrolment, Enrolment.id == RespiteRequest.enrolment_id)
        .join(User, User.id == Enrolment.learner_id)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Course.organiser_id == organiser_id, *where)
        .options(_with_sessions(), _with_partner())
        .order_by(first.c.first_at, RespiteRequest.id)).all()
    board = [BoardRow(*row) for row in rows]
    record_access(viewer, [row.learner.id for row in board], "respite")
    return board


def edition_to_board(edition_id: int, viewer: User) -> Edition:
    """The edition whose respite board the viewer opens (404 for a stranger)."""
    edition = db.session.scalar(select(Edition).where(Edition.id == edition_id)
                                .options(selectinload(Edition.course)))
    if edition is None or not policy.is_staff(viewer, edition.course.organiser_id):
        raise NotFound(_("This edition does not exist."))
    return edition


def board_of_edition(edition_id: int, viewer: User) -> list[BoardRow]:
    """An edition's respite requests, the most urgent (first session) first (logged)."""
    edition = edition_to_board(edition_id, viewer)
    return _board(viewer, edition.course.organiser_id, [Edition.id == edition.id])


def board_of_week(organiser_id: int, viewer: User, monday: date | None = None) -> list[BoardRow]:
    """The organiser's requests with a session in the week from `monday` (this week), by urgency."""
    monday = monday or timeutil.today() - timedelta(days=timeutil.today().weekday())
    start = timeutil.brussels(monday, time.min)
    end = timeutil.brussels(monday + timedelta(days=7), time.min)
    in_week = (select(RespiteSession.request_id)
               .join(TrainingSession, TrainingSession.id == RespiteSession.session_id)
               .where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end))
    return _board(viewer, organiser_id, [RespiteRequest.id.in_(in_week)])


def requests_of_edition(edition_id: int, viewer: User) -> list[RespiteRequest]:
    """The edition's requests (the API's list), most urgent first (logged)."""
    return [row.request for row in board_of_edition(edition_id, viewer)]


def partners_for(request: RespiteRequest, organiser_id: int) -> list[RespitePartner]:
    """The organiser's partners who give this kind of help, those serving the municipality first."""
    partners = list(db.session.scalars(
        select(RespitePartner).where(RespitePartner.organiser_id == organiser_id)
        .options(selectinload(RespitePartner.municipalities))
        .order_by(RespitePartner.name)))
    fitting = [p for p in partners if request.kind in p.kind_list]
    serves = lambda p: any(m.municipality_id == request.municipality_id  # noqa: E731
                           for m in p.municipalities)
    return sorted(fitting, key=lambda p: not serves(p))


# ---- the hub asks a partner; the partner answers ------------------------------------------


def _request_to_manage(request_id: int, actor: User) -> tuple[RespiteRequest, Edition]:
    request = db.session.scalar(
        select(RespiteRequest).where(RespiteRequest.id == request_id)
        .options(_with_sessions(), selectinload(RespiteRequest.enrolment)))
    if request is None:
        raise NotFound(_("This respite request does not exist."))
    edition = db.session.scalar(
        select(Edition).where(Edition.id == request.enrolment.edition_id)
        .options(selectinload(Edition.course).selectinload(Course.organiser)))
    organiser_id = edition.course.organiser_id
    if not policy.is_staff(actor, organiser_id):
        raise NotFound(_("This respite request does not exist."))
    if not policy.can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators arrange respite."))
    return request, edition


def _partner_of(organiser_id: int, partner_id: int | None) -> RespitePartner:
    partner = db.session.get(RespitePartner, partner_id) if partner_id else None
    if partner is None or partner.organiser_id != organiser_id:
        raise NotFound(_("This respite partner does not exist."), field="partner_id")
    return partner


def ask_partner(*, request_id: int, partner_id: int | None, actor: User) -> RespiteRequest:
    """Ask a partner to take over the care in the sessions still to arrange; it gets a mail with
    a signed link that works RESPITE_LINK_HOURS."""
    request, edition = _request_to_manage(request_id, actor)
    partner = _partner_of(edition.course.organiser_id, partner_id)
    if request.details_erased_at is not None:
        raise Conflict(_("The care details of this request were erased."))
    now = timeutil.now()
    open_sessions = [s for s in request.sessions
                     if s.state in OPEN_STATES and s.session.starts_at > now]
    if not open_sessions:
        raise Conflict(_("Nothing is left to arrange for this request."))
    for respite_session in open_sessions:
        respite_session.state, respite_session.partner_id = RespiteState.ASKED, partner.id
        respite_session.asked_at = respite_session.changed_at = now
        respite_session.helper_first_name = None
    db.session.flush()
    enqueue_after_commit("mail", "college.respite.tasks.mail_partner", request.id, partner.id)
    return request


@dataclass
class PartnerView:
    """What the partner's link shows: the consented details and the sessions asked."""

    request: RespiteRequest
    partner: RespitePartner
    course: Course
    edition: Edition
    sessions: list[RespiteSession]


def partner_view(token: str) -> PartnerView:
    """The request a partner's link names, while it is open to them; else why not (4xx)."""
    request_id, partner_id = links.read_token(token)
    request = db.session.scalar(
        select(RespiteRequest).where(RespiteRequest.id == request_id)
        .options(_with_sessions(), selectinload(RespiteRequest.enrolment)))
    partner = db.session.get(RespitePartner, partner_id)
    if request is None or partner is None:
        raise NotFound(_("This link is not valid. Ask the hub that sent it."))
    asked = [s for s in request.sessions
             if s.state == RespiteState.ASKED and s.partner_id == partner.id]
    if not asked or request.details_erased_at is not None:
        raise Conflict(_("This request was already answered (or the hub changed it), so the "
                         "link no longer works. Contact the hub if something is not right."))
    edition = db.session.scalar(select(Edition).where(Edition.id == request.enrolment.edition_id)
                                .options(selectinload(Edition.course)))
    return PartnerView(request, partner, edition.course, edition, asked)


def answer_as_partner(token: str, *, confirm: bool, helper_first_name: str | None) -> PartnerView:
    """The partner confirms (naming the helper by first name) or declines by its link; the
    caregiver is told when it is arranged."""
    view = partner_view(token)
    now = timeutil.now()
    if confirm:
        helper = _text(helper_first_name, 60, "helper_first_name",
                       _("Give the helper's first name (at most 60 characters)."))
        if not helper:
            raise Invalid(_("Give the helper's first name (at most 60 characters)."),
                          field="helper_first_name")
        for respite_session in view.sessions:
            if respite_session.session.starts_at <= now:
                continue
            _set_state(respite_session, RespiteState.ARRANGED, now, helper=helper)
    else:
        for respite_session in view.sessions:
            # Back to the hub's list: it asks another partner or says it is not possible.
            respite_session.state, respite_session.partner_id = RespiteState.NEW, None
            respite_session.changed_at = now
    db.session.flush()
    if confirm:
        _tell_caregiver(view.request, view.edition)
    return view


def _set_state(respite_session: RespiteSession, state: RespiteState, now: datetime,
               helper: str | None = None) -> None:
    respite_session.state, respite_session.changed_at = state, now
    respite_session.helper_first_name = helper if state == RespiteState.ARRANGED else None
    if state in (RespiteState.NEW,):
        respite_session.partner_id = None


def change_sessions(*, request_id: int, actor: User, changes: list[dict]) -> RespiteRequest:
    """The hub records per session what it arranged (`state`, and with "arranged" the
    `partner_id` and `helper_first_name`); the caregiver is told of the change."""
    request, edition = _request_to_manage(request_id, actor)
    by_session = {s.session_id: s for s in request.sessions}
    if not changes:
        raise Invalid(_("Say what changed."), field="sessions")
    now = timeutil.now()
    for change in changes:
        respite_session = by_session.get(change.get("session_id"))
        if respite_session is None:
            raise Invalid(_("Choose sessions of this request."), field="sessions")
        try:
            state = RespiteState(getattr(change.get("state"), "value", change.get("state")))
        except ValueError as error:
            raise Invalid(_("Choose a state."), field="state") from error
        if state not in HUB_STATES:
            raise Invalid(_("Ask a partner with \"Ask partner\"."), field="state")
        if state == RespiteState.ARRANGED:
            partner = _partner_of(edition.course.organiser_id, change.get("partner_id"))
            helper = _text(change.get("helper_first_name"), 60, "helper_first_name",
                           _("Give the helper's first name (at most 60 characters)."))
            if not helper:
                raise Invalid(_("Give the helper's first name (at most 60 characters)."),
                              field="helper_first_name")
            respite_session.partner_id = partner.id
            _set_state(respite_session, state, now, helper=helper)
        else:
            _set_state(respite_session, state, now)
    db.session.flush()
    _tell_caregiver(request, edition)
    return request


def cancel_open_respite(enrolment_id: int) -> None:
    """The enrolment was cancelled: what was still asked or arranged is cancelled too."""
    db.session.execute(
        update(RespiteSession)
        .where(RespiteSession.request_id.in_(
            select(RespiteRequest.id).where(RespiteRequest.enrolment_id == enrolment_id)),
            RespiteSession.state.in_((*OPEN_STATES, RespiteState.ARRANGED)))
        .values(state=RespiteState.CANCELLED, changed_at=timeutil.now())
        .execution_options(synchronize_session=False))


def _tell_caregiver(request: RespiteRequest, edition: Edition) -> None:
    """Tell the caregiver where their respite stands now (mail, or the hub's "To phone" list)."""
    learner = db.session.get(User, request.enrolment.learner_id)
    course = edition.course
    with force_locale(learner.language.value):
        lines = []
        for respite_session in request.sessions:
            when = timeutil.local(respite_session.session.starts_at).strftime("%d/%m/%Y %H:%M")
            state = str(STATE_LABELS[respite_session.state])
            if respite_session.state == RespiteState.ARRANGED and respite_session.helper_first_name:
                state = _("arranged: %(helper)s comes", helper=respite_session.helper_first_name)
            lines.append(f"- {when}: {state}")
        subject = _("Respite during your training: %(course)s", course=course.title)
        body = _("Dear %(name)s,\n\nThis is where the respite you asked for \"%(course)s\" "
                 "stands:\n\n%(sessions)s\n\nIf respite cannot be arranged, you may cancel your "
                 "enrolment under \"My trainings\" without it counting against you.\n\n"
                 "Caregivers College", name=learner.name, course=course.title,
                 sessions="\n".join(lines))
    stamp = ",".join(f"{s.id}:{s.state.value}" for s in request.sessions)
    write_notification("respite", learner=learner, course=course, edition=edition,
                       dedupe_key=f"respite:{request.id}:{timeutil.now().isoformat()}:{stamp}"[:200],
                       texts=(subject, body))


def learners_with_respite(session_id: int) -> set[int]:
    """The learners for whom respite is arranged for this session (the roster's marker)."""
    return set(db.session.scalars(
        select(Enrolment.learner_id)
        .join(RespiteRequest, RespiteRequest.enrolment_id == Enrolment.id)
        .join(RespiteSession, RespiteSession.request_id == RespiteRequest.id)
        .where(RespiteSession.session_id == session_id,
               RespiteSession.state == RespiteState.ARRANGED)))


# ---- no-show, privacy, retention ----------------------------------------------------------


def respite_failed(enrolment_id: int) -> bool:
    """Whether the hub could not arrange respite for a session of this enrolment: the caregiver
    may then cancel (even once the edition started) without it counting as a no-show."""
    return db.session.scalar(
        select(func.count()).select_from(RespiteSession)
        .join(RespiteRequest, RespiteRequest.id == RespiteSession.request_id)
        .where(RespiteRequest.enrolment_id == enrolment_id,
               RespiteSession.state == RespiteState.NOT_POSSIBLE)) > 0


def _erase(request_ids) -> int:
    now = timeutil.now()
    erased = db.session.execute(
        update(RespiteRequest)
        .where(RespiteRequest.id.in_(request_ids), RespiteRequest.details_erased_at.is_(None))
        .values(address="", mobility="", language="", note="", municipality_id=None,
                details_erased_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.execute(
        update(RespiteSession).where(RespiteSession.request_id.in_(request_ids))
        .values(helper_first_name=None).execution_options(synchronize_session=False))
    return erased


def erase_respite_of(user_id: int) -> None:
    """Erasure: the care details of the learner's requests go; the anonymous counts stay, as
    their enrolments do, so the figures do not change."""
    _erase(select(RespiteRequest.id).join(Enrolment, Enrolment.id == RespiteRequest.enrolment_id)
           .where(Enrolment.learner_id == user_id))


def erase_expired(moment: datetime | None = None) -> int:
    """Erase the care details of requests whose edition ended RESPITE_RETENTION_DAYS ago; the
    counts stay for the figures. Returns how many requests were erased."""
    moment = moment or timeutil.now()
    days = current_app.config["RESPITE_RETENTION_DAYS"]
    last_day = timeutil.local(moment).date() - timedelta(days=days)
    ended = (select(RespiteRequest.id)
             .join(Enrolment, Enrolment.id == RespiteRequest.enrolment_id)
             .join(Edition, Edition.id == Enrolment.edition_id)
             .where(Edition.ends_on < last_day, RespiteRequest.details_erased_at.is_(None)))
    return _erase(select(ended.subquery().c.id))


def export_of(user_id: int) -> list[dict]:
    """The learner's respite requests for their data export."""
    requests = db.session.scalars(
        select(RespiteRequest).join(Enrolment, Enrolment.id == RespiteRequest.enrolment_id)
        .where(Enrolment.learner_id == user_id)
        .options(_with_sessions(), _with_partner(),
                 selectinload(RespiteRequest.enrolment).selectinload(Enrolment.edition)
                 .selectinload(Edition.course)))
    municipalities = {m.id: m.name for m in db.session.scalars(select(Municipality))}
    return [{
        "course": request.enrolment.edition.course.title,
        "kind": request.kind.value,
        "municipality": municipalities.get(request.municipality_id),
        "address": request.address, "mobility": request.mobility,
        "language": request.language, "note": request.note,
        "consent_at": request.consent_at.isoformat(),
        "sessions": [{"starts_at": s.session.starts_at.isoformat(), "state": s.state.value,
                      "partner": s.partner.name if s.partner else None,
                      "helper_first_name": s.helper_first_name} for s in request.sessions],
    } for request in requests]


def kind_label(kind: RespiteKind) -> str:
    return str(KIND_LABELS[kind])


def state_label(state: RespiteState) -> str:
    return str(STATE_LABELS[state])
