"""What changes accounts: registering, logging in, passwords, staff and managed accounts."""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from college import signals, timeutil
from college.accounts.models import Kind, Language, Membership, Organiser, Role, User
from college.accounts.passwords import check_password_rules, hash_password, verify_password
from college.errors import Conflict, Invalid, NotAllowed
from college.extensions import db
from college.policy import can_manage_organiser, is_coordinator, is_staff
from college.privacy.access import record_access

log = logging.getLogger(__name__)

#: Version of the privacy notice that registration asks consent for.
PRIVACY_NOTICE_VERSION = "2026-11"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str | None) -> str | None:
    """Lower-case and trim an email; None for an empty one; Invalid for a malformed one."""
    if email is None or not email.strip():
        return None
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise Invalid(_("Enter a valid email address, like name@example.be."), field="email")
    return email


def _ensure_email_free(email: str) -> None:
    if User.by_email(email) is not None:
        raise Conflict(
            _("An account with this email address already exists. Log in instead."), field="email"
        )


def _add_new_user(user: User) -> User:
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:  # a concurrent registration with the same email
        raise Conflict(
            _("An account with this email address already exists. Log in instead."), field="email"
        ) from error
    return user


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
) -> User:
    """Create a learner's own account (a caregiver or a professional)."""
    normalised = normalise_email(email)
    if normalised is None:
        raise Invalid(_("Enter your email address."), field="email")
    name = name.strip()
    if not name:
        raise Invalid(_("Enter your name."), field="name")
    if not consent:
        raise Invalid(_("You can only register if you agree to the privacy notice."), field="consent")
    check_password_rules(password)
    _ensure_email_free(normalised)
    if kind != Kind.PROFESSIONAL:
        profession = registration_number = None
    user = User(
        email=normalised,
        name=name,
        password_hash=hash_password(password),
        kind=kind,
        is_learner=True,
        language=language,
        profession=(profession or "").strip() or None,
        registration_number=(registration_number or "").strip() or None,
        consent_version=PRIVACY_NOTICE_VERSION,
        consented_at=timeutil.now(),
    )
    return _add_new_user(user)


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


def end_other_sessions(user: User) -> None:
    """Invalidate every session cookie of this user (logout, password change)."""
    user.session_version += 1
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; ends the user's other sessions."""
    if not verify_password(user.password_hash, current_password):
        raise Invalid(_("Your current password is not correct."), field="current_password")
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    signals.password_changed.send(None, user_id=user.id)
    db.session.flush()


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
) -> User:
    """A coordinator creates a trainer, a coordinator or a managed learner for their organiser.

    `actor` None means the command line, which may create a first coordinator.
    """

    if actor is not None and not is_coordinator(actor, organiser.id):
        raise NotAllowed(_("Only coordinators of this organiser can create accounts."))
    parsed_roles = _parse_roles(roles)
    kind = _parse_kind(kind)
    name = name.strip()
    if not name:
        raise Invalid(_("Enter a name."), field="name")
    normalised = normalise_email(email)
    staff_roles = parsed_roles - {Role.LEARNER}
    if staff_roles and normalised is None:
        raise Invalid(_("Trainers and coordinators need an email address to log in."), field="email")
    if Role.LEARNER in parsed_roles and kind is None:
        raise Invalid(_("Choose whether the learner is a caregiver or a professional."), field="kind")
    if password:
        check_password_rules(password)
    if normalised:
        _ensure_email_free(normalised)
    user = User(
        email=normalised,
        name=name,
        password_hash=hash_password(password) if password else None,
        kind=kind,
        is_learner=Role.LEARNER in parsed_roles,
        language=language,
        managed_by_organiser_id=organiser.id if normalised is None else None,
    )
    user.memberships = [Membership(organiser_id=organiser.id, role=role) for role in staff_roles]
    return _add_new_user(user)


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
LOGO_MAX_PIXELS = 4000 * 4000
_LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def set_organiser_logo(actor: User, organiser: Organiser, content: bytes) -> None:
    """A coordinator sets the organiser's logo: a real PNG or JPEG image of at most 512 KB."""



    if not can_manage_organiser(actor, organiser.id):
        raise NotAllowed(_("Only coordinators of this organiser can change its logo."))
    if not content:
        raise Invalid(_("Choose an image file."), field="logo")
    if len(content) > LOGO_MAX_BYTES:
        raise Invalid(_("The logo is too large: at most %(kb)d KB.", kb=LOGO_MAX_BYTES // 1024), field="logo")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind, width, height = image.format, image.width, image.height
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind, width, height = None, 0, 0
    if kind not in _LOGO_FORMATS:
        raise Invalid(_("The logo must be a PNG or JPEG image."), field="logo")
    if width * height > LOGO_MAX_PIXELS:
        raise Invalid(_("The logo is too large: at most 4000 by 4000 pixels."), field="logo")
    organiser.logo = content
    organiser.logo_mimetype = _LOGO_FORMATS[kind]
    log.info("user %s set the logo of organiser %s", actor.id, organiser.id)
    db.session.flush()


#: At most this many hours before the start may the waiting list close (30 days).
MAX_WAITLIST_LEAD_HOURS = 720


def update_organiser_settings(actor: User, organiser: Organiser, *,
                              waitlist_closes_hours_before: int | str | None = None,
                              verify_anonymised_certificates: bool | None = None) -> Organiser:
    """A coordinator changes how the organiser's waiting lists and verification behave."""
    if not can_manage_organiser(actor, organiser.id):
        raise NotAllowed(_("Only coordinators of this organiser can change its settings."))
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
