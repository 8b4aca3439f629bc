"""What changes accounts: registering, logging in, passwords, staff and managed accounts."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from college import signals, timeutil
from college.accounts import throttle
from college.accounts.models import Kind, Language, Membership, Organiser, Role, User
from college.accounts.passwords import check_password_rules, hash_password, verify_password
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.images import MAX_PIXELS, image_kind
from college.jobs import enqueue_after_commit
from college.policy import can_manage_organiser, is_coordinator, is_staff
from college.privacy import notice
from college.privacy.access import record_access

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ./()-]+$")
#: Longest coordinator's note on a managed account.
NOTE_MAX_LENGTH = 500


def normalise_email(email: str | None) -> str | None:
    """Lower-case and trim an email; None for an empty one; Invalid for a malformed one."""
    if email is None or not email.strip():
        return None
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise Invalid(_("Enter a valid email address, like name@example.be."), field="email")
    return email


def normalise_phone(phone: str | None) -> str | None:
    """Trim a phone number as people write it ("09 386 12 34", "+32 9 386 12 34"); None if empty."""
    if phone is None or not phone.strip():
        return None
    phone = " ".join(phone.split())
    digits = sum(char.isdigit() for char in phone)
    if len(phone) > 40 or not _PHONE.match(phone) or not 6 <= digits <= 15:
        raise Invalid(_("Enter a phone number in digits, like 09 123 45 67 or +32 9 123 45 67."),
                      field="phone")
    return phone


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise Invalid(_("Keep the note under %(n)d characters.", n=NOTE_MAX_LENGTH), field="note")
    return note or None


def _name(name: str | None, message: str) -> str:
    name = (name or "").strip()
    if not name:
        raise Invalid(message, field="name")
    if len(name) > 120:
        raise Invalid(_("Keep the name under %(n)d characters.", n=120), field="name")
    return name


def register_learner(
    *,
    email: str,
    password: str,
    name: str,
    kind: Kind,
    language: Language = Language.NL,
    profession: str | None = None,
    registration_number: str | None = None,
    consent: bool = True,
) -> User | None:
    """A learner registers; the answer is alike whether the address is new or taken.

    A new address gets an account whose address is not confirmed yet, and a link to confirm
    it (the College mails it nothing else until then). The owner of a taken address gets a
    mail that someone tried to register with it, and nothing changes. Returns the new
    account, or None when the address was taken (callers must not tell the difference).
    """
    normalised = normalise_email(email)
    if normalised is None:
        raise Invalid(_("Enter your email address."), field="email")
    name = _name(name, _("Enter your name."))
    if not consent:
        raise Invalid(_("You can only register if you agree to the privacy notice."), field="consent")
    check_password_rules(password)
    # Hashed whether or not the account is made: a taken address answers as slowly as a new one.
    password_hash = hash_password(password)
    existing = User.by_email(normalised)
    if existing is not None:
        _tell_owner_someone_tried(existing)
        return None
    if kind != Kind.PROFESSIONAL:
        profession = registration_number = None
    user = User(
        email=normalised,
        name=name,
        password_hash=password_hash,
        kind=kind,
        is_learner=True,
        language=language,
        profession=(profession or "").strip() or None,
        registration_number=(registration_number or "").strip() or None,
        consent_version=notice.current_version(),
        consented_at=timeutil.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # a concurrent registration with the same address came first
        log.info("registration raced another one for the same address")
        return None
    enqueue_after_commit("mail", "college.accounts.tasks.send_address_confirmation", user.id)
    log.info("user %s registered; address not confirmed yet", user.id)
    return user


def _tell_owner_someone_tried(owner: User) -> None:
    """Mail the owner of an address that someone tried to use it for another account."""
    log.info("registration or address change tried with the address of user %s", owner.id)
    if owner.is_active:
        enqueue_after_commit("mail", "college.accounts.tasks.send_registration_attempt", owner.id)


def active_user_by_email(email: str | None) -> User | None:
    """The active account of an email as typed (any case, spaces), or None; never raises."""
    try:
        normalised = normalise_email(email)
    except Invalid:
        return None
    user = User.by_email(normalised) if normalised else None
    return user if user is not None and user.is_active else None


def authenticate(email: str, password: str) -> User | None:
    """Return the user for these credentials, or None; never tells which part was wrong."""
    user = active_user_by_email(email)
    if user is None:
        verify_password(None, password)
        log.info("failed login for an unknown or inactive account")
        return None
    if not verify_password(user.password_hash, password):
        log.info("failed login for user %s", user.id)
        return None
    user.last_seen_at = timeutil.now()
    return user


def log_in(email: str, password: str, address: str | None) -> User | None:
    """Check credentials under the one password limiter of the pages and the API.

    Returns the user, or None for a wrong password or an unknown email (which count as
    failures for this client address and this email); raises TooManyAttempts (429) when the
    client must wait before trying, without checking the password.
    """
    throttle.check_attempt(email, address)
    user = authenticate(email, password)
    if user is None:
        throttle.record_failure(email, address)
    else:
        throttle.record_success(email, address)
    return user


def end_other_sessions(user: User) -> None:
    """Invalidate every session cookie of this user (logout, password change)."""
    user.session_version += 1
    db.session.flush()


def check_own_password(user: User, password: str | None, address: str | None) -> None:
    """A logged-in user confirms a change with their password, under the password limiter."""
    throttle.check_attempt(user.email, address)
    if not verify_password(user.password_hash, password or ""):
        throttle.record_failure(user.email, address)
        raise Invalid(_("Your current password is not correct."), field="current_password")


def change_password(user: User, current_password: str, new_password: str,
                    address: str | None = None) -> None:
    """Change a password after checking the current one; ends the user's other sessions."""
    check_own_password(user, current_password, address)
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    signals.password_changed.send(None, user_id=user.id)
    db.session.flush()


#: What a person may change about themselves ("My account", PATCH /api/v1/me).
OWN_DETAILS = ("name", "email", "phone", "profession", "registration_number", "language")


def _check_changes(changes: Mapping[str, object], details: Iterable[str],
                   also_allowed: Iterable[str] = ()) -> None:
    """Refuse fields that cannot be changed here, and a request that changes no detail."""
    unknown = set(changes) - {*details, *also_allowed}
    if unknown:
        raise Invalid(_("These details cannot be changed here: %(fields)s.",
                        fields=", ".join(sorted(unknown))), field=sorted(unknown)[0])
    if not set(changes) & set(details):
        raise Invalid(_("Nothing to change: send at least one detail."))


def update_own_details(user: User, changes: Mapping[str, Any], *,
                       address: str | None = None) -> bool:
    """A person changes their own details; only the keys given change.

    Profession and registration number are a professional's (a caregiver's are not kept). A
    new email address replaces the old one only once it is confirmed by the link mailed to
    it; that needs `current_password`. Returns whether a new address now waits for its link.
    """
    _check_changes(changes, OWN_DETAILS, also_allowed={"current_password"})
    if "name" in changes:
        user.name = _name(changes["name"], _("Enter your name."))
    if "phone" in changes:
        user.phone = normalise_phone(changes["phone"])
    if "language" in changes:
        user.language = _parse_language(changes["language"])
    if user.kind == Kind.PROFESSIONAL:
        for field, limit in (("profession", 120), ("registration_number", 60)):
            if field in changes:
                value = (changes[field] or "").strip()
                if len(value) > limit:
                    raise Invalid(_("Keep this under %(n)d characters.", n=limit), field=field)
                setattr(user, field, value or None)
    asked = False
    if "email" in changes:
        asked = request_email_change(user, changes["email"], changes.get("current_password"),
                                     address=address)
    db.session.flush()
    return asked


def _parse_language(language: Language | str | None) -> Language:
    if isinstance(language, Language):
        return language
    try:
        return Language(language)
    except ValueError as error:
        raise Invalid(_("Choose Dutch or English."), field="language") from error


def request_email_change(user: User, new_email: str | None, current_password: str | None, *,
                         address: str | None = None) -> bool:
    """Ask for a new address: it replaces the old one once its mailed link is opened.

    The answer is alike whether the new address is free or used by another account (whose
    owner is told instead, and no link is sent). Returns whether a new address now waits.
    """
    normalised = normalise_email(new_email)
    if normalised is None:
        raise Invalid(_("Enter your email address."), field="email")
    if normalised == user.email:
        return False  # unchanged (a form sends the address it showed)
    if user.email is None:
        raise NotAllowed(_("An account without email address cannot get one here."))
    check_own_password(user, current_password, address)
    user.pending_email = normalised
    db.session.flush()
    owner = User.by_email(normalised)
    if owner is None:
        enqueue_after_commit("mail", "college.accounts.tasks.send_address_confirmation", user.id)
    else:
        _tell_owner_someone_tried(owner)
    if user.email_confirmed:
        enqueue_after_commit("mail", "college.accounts.tasks.send_address_change_notice", user.id)
    log.info("user %s asked for a new email address", user.id)
    return True


def cancel_email_change(user: User) -> None:
    """Keep the current address: the new one's link stops working."""
    user.pending_email = None
    db.session.flush()


def send_confirmation_again(user: User) -> str:
    """Mail the link for the address that waits for confirmation again; returns that address."""
    address = user.pending_email or (None if user.email_confirmed else user.email)
    if address is None:
        raise Conflict(_("Your email address is already confirmed."))
    enqueue_after_commit("mail", "college.accounts.tasks.send_address_confirmation", user.id)
    return address


#: What a coordinator may change about a managed account (a learner without email).
MANAGED_DETAILS = ("name", "phone", "note", "kind")


def managed_account(actor: User, user_id: int, organiser_id: int | None = None) -> User:
    """A managed account of an organiser the actor coordinates (its details logged as seen).

    NotAllowed for someone who coordinates nothing; NotFound for an account out of reach,
    exactly as for one that does not exist.
    """
    if not is_coordinator(actor):
        raise NotAllowed(_("Only coordinators can change accounts of their organiser."))
    user = db.session.get(User, user_id)
    if (user is None or not user.is_managed or user.anonymised_at is not None
            or user.managed_by_organiser_id is None
            or not is_coordinator(actor, user.managed_by_organiser_id)
            or (organiser_id is not None and user.managed_by_organiser_id != organiser_id)):
        raise NotFound(_("This account does not exist, or it is not one of your organiser's."))
    record_access(actor, [user.id], "people")
    return user


def update_managed_account(actor: User, user: User, changes: Mapping[str, Any]) -> User:
    """A coordinator corrects a managed account: name, phone number, note, learner type."""
    if not (user.managed_by_organiser_id and is_coordinator(actor, user.managed_by_organiser_id)):
        raise NotAllowed(_("Only coordinators can change accounts of their organiser."))
    _check_changes(changes, MANAGED_DETAILS)
    if "name" in changes:
        user.name = _name(changes["name"], _("Enter a name."))
    if "phone" in changes:
        user.phone = normalise_phone(changes["phone"])
    if "note" in changes:
        user.note = _note(changes["note"])
    if "kind" in changes:
        kind = _parse_kind(changes["kind"])
        if kind is None:
            raise Invalid(_("Choose whether the learner is a caregiver or a professional."),
                          field="kind")
        user.kind = kind
    log.info("user %s changed managed account %s", actor.id, user.id)
    db.session.flush()
    return user


def _parse_roles(roles: list[str] | set[str]) -> set[Role]:
    parsed = set()
    for role in roles:
        try:
            parsed.add(Role(role))
        except ValueError as error:
            raise Invalid(_("Unknown role: %(role)s.", role=role), field="roles") from error
    if not parsed:
        raise Invalid(_("Choose at least one role."), field="roles")
    return parsed


def _parse_kind(kind: Kind | str | None) -> Kind | None:
    if kind is None or isinstance(kind, Kind):
        return kind
    if not kind:
        return None
    try:
        return Kind(kind)
    except ValueError as error:
        raise Invalid(_("Choose caregiver or professional."), field="kind") from error


def create_account(
    *,
    actor: User | None,
    organiser: Organiser,
    name: str,
    roles: list[str] | set[str],
    email: str | None = None,
    kind: Kind | str | None = None,
    password: str | None = None,
    language: Language = Language.NL,
    phone: str | None = None,
    note: str | None = None,
) -> User:
    """A coordinator creates a trainer, a coordinator or a managed learner for their organiser.

    `actor` None means the command line, which may create a first coordinator. An address a
    coordinator types counts as confirmed: they checked it with the person.
    """

    if actor is not None and not is_coordinator(actor, organiser.id):
        raise NotAllowed(_("Only coordinators of this organiser can create accounts."))
    parsed_roles = _parse_roles(roles)
    kind = _parse_kind(kind)
    name = _name(name, _("Enter a name."))
    normalised = normalise_email(email)
    phone = normalise_phone(phone)
    note = _note(note)
    staff_roles = parsed_roles - {Role.LEARNER}
    if staff_roles and normalised is None:
        raise Invalid(_("Trainers and coordinators need an email address to log in."), field="email")
    if Role.LEARNER in parsed_roles and kind is None:
        raise Invalid(_("Choose whether the learner is a caregiver or a professional."), field="kind")
    if password:
        check_password_rules(password)
    if normalised and User.by_email(normalised) is not None:
        raise Conflict(_("An account with this email address already exists."), field="email")
    user = User(
        email=normalised,
        email_confirmed_at=timeutil.now() if normalised else None,
        name=name,
        password_hash=hash_password(password) if password else None,
        kind=kind,
        is_learner=Role.LEARNER in parsed_roles,
        language=language,
        phone=phone,
        note=note if normalised is None else None,
        managed_by_organiser_id=organiser.id if normalised is None else None,
    )
    user.memberships = [Membership(organiser_id=organiser.id, role=role) for role in staff_roles]
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:  # created at the same moment by another request
        raise Conflict(_("An account with this email address already exists."),
                       field="email") from error
    return user


def find_or_create_organiser(name: str) -> Organiser:
    """Return the organiser with this name (or slug), creating it when it does not exist yet."""
    slug = slugify(name)
    organiser = Organiser.by_slug(slug)
    if organiser is None:
        organiser = Organiser(name=name.strip(), slug=slug)
        db.session.add(organiser)
        db.session.flush()
    return organiser


def slugify(text: str) -> str:
    """A URL-safe, lower-case form of a name ("Mantelzorghub Gent" -> "mantelzorghub-gent")."""

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "organiser"


def create_coordinator(*, email: str, name: str, organiser_name: str, password: str) -> User:
    """Create a coordinator (command line), creating the organiser when needed."""
    organiser = find_or_create_organiser(organiser_name)
    return create_account(
        actor=None,
        organiser=organiser,
        name=name,
        email=email,
        roles={Role.COORDINATOR.value},
        password=password,
    )


def staff_of(organiser_id: int, viewer: User) -> list[User]:
    """The organiser's trainers and coordinators, and the managed accounts it created (logged)."""
    member_ids = select(Membership.user_id).where(Membership.organiser_id == organiser_id)
    people = list(
        db.session.scalars(
            select(User)
            .where((User.id.in_(member_ids)) | (User.managed_by_organiser_id == organiser_id))
            .order_by(User.name)
        )
    )
    record_access(viewer, [person.id for person in people if person.is_managed], "people")
    return people


def set_language(user: User, language: Language) -> None:
    user.language = language
    db.session.flush()


def create_walk_in_account(*, actor: User, organiser_id: int, name: str, kind: Kind | str | None
                           ) -> User:
    """A trainer or coordinator makes an account without email for someone who walked in."""

    if not is_staff(actor, organiser_id):
        raise NotAllowed(_("Only trainers and coordinators of this organiser can do this."))
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Enter the name of the person who walked in."), field="name")
    parsed = _parse_kind(kind)
    if parsed is None:
        raise Invalid(_("Choose whether the learner is a caregiver or a professional."),
                      field="kind")
    user = User(email=None, name=name[:120], kind=parsed, is_learner=True,
                managed_by_organiser_id=organiser_id)
    db.session.add(user)
    db.session.flush()
    return user
#: Logos on certificates: PNG or JPEG only (an SVG can carry scripts and remote references).
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = MAX_PIXELS


def set_organiser_logo(actor: User, organiser: Organiser, content: bytes) -> None:
    """A coordinator sets the organiser's logo: a real PNG or JPEG image of at most 512 KB."""



    if not can_manage_organiser(actor, organiser.id):
        raise NotAllowed(_("Only coordinators of this organiser can change its logo."))
    if not content:
        raise Invalid(_("Choose an image file."), field="logo")
    if len(content) > LOGO_MAX_BYTES:
        raise Invalid(_("The logo is too large: at most %(kb)d KB.", kb=LOGO_MAX_BYTES // 1024), field="logo")
    mimetype, pixels = image_kind(content)
    if mimetype is None:
        raise Invalid(_("The logo must be a PNG or JPEG image."), field="logo")
    if pixels > LOGO_MAX_PIXELS:
        raise Invalid(_("The logo is too large: at most 4000 by 4000 pixels."), field="logo")
    organiser.logo = content
    organiser.logo_mimetype = mimetype
    log.info("user %s set the logo of organiser %s", actor.id, organiser.id)
    db.session.flush()


#: At most this many hours before the start may the waiting list close (30 days).
MAX_WAITLIST_LEAD_HOURS = 720


def _organiser_contact(contact: Mapping[str, str | None]) -> dict[str, str]:
    """Checked contact details; Invalid names the contact_* field at fault."""
    values = {}
    for name, value in contact.items():
        try:
            if name == "contact_phone":
                value = normalise_phone(value)
            elif name == "contact_email":
                value = normalise_email(value)
        except Invalid as error:
            raise Invalid(error.message, field=name) from error
        value = (value or "").strip()
        limit = Organiser.__table__.c[name].type.length
        if len(value) > limit:
            raise Invalid(_("Keep this under %(n)d characters.", n=limit), field=name)
        values[name] = value
    return values


CONTACT_FIELDS = ("contact_phone", "contact_email", "contact_address", "contact_hours")


def update_organiser_settings(actor: User, organiser: Organiser, *,
                              waitlist_closes_hours_before: int | str | None = None,
                              verify_anonymised_certificates: bool | None = None,
                              **contact: str | None) -> Organiser:
    """A coordinator changes the organiser's contact details and how its waiting lists and
    verification behave (contact_phone, contact_email, contact_address, contact_hours)."""
    if not can_manage_organiser(actor, organiser.id):
        raise NotAllowed(_("Only coordinators of this organiser can change its settings."))
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown organiser settings: {sorted(unknown)}")
    for name, value in _organiser_contact(contact).items():
        setattr(organiser, name, value)
    if waitlist_closes_hours_before is not None:
        try:
            hours = int(str(waitlist_closes_hours_before).strip())
        except ValueError as error:
            raise Invalid(_("Enter a whole number of hours, like 24."),
                          field="waitlist_closes_hours_before") from error
        if not 0 <= hours <= MAX_WAITLIST_LEAD_HOURS:
            raise Invalid(_("Enter a number of hours between 0 and %(maximum)d.",
                            maximum=MAX_WAITLIST_LEAD_HOURS),
                          field="waitlist_closes_hours_before")
        organiser.waitlist_closes_hours_before = hours
    if verify_anonymised_certificates is not None:
        organiser.verify_anonymised_certificates = bool(verify_anonymised_certificates)
    db.session.flush()
    return organiser
