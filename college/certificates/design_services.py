"""What coordinators do with their organiser's certificate design: save a new version, restore
an earlier one, preview unsaved values as a PDF. The page and the API call these."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import func, select

from college.accounts.models import Kind, Language, Organiser, User
from college.certificates import designs
from college.certificates.designs import DesignValues
from college.certificates.models import CertificateDesign
from college.certificates.rendering import render_design_preview
from college.errors import Invalid, NotAllowed, NotFound
from college.extensions import db
from college.policy import can_manage_organiser

log = logging.getLogger(__name__)


class _Keep:
    """The signature argument when the current signature image stays."""


#: Pass as `signature` to keep the current version's signature image.
KEEP = _Keep()


def require_designer(actor: User, organiser_id: int) -> None:
    """Only the organiser's own coordinators see and change its certificate design."""
    if not can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only coordinators of this organiser can change its certificate design."))


def _checked(organiser_id: int, data: Mapping[str, str | None],
             signature: bytes | None | _Keep) -> DesignValues:
    if isinstance(signature, _Keep):
        current = designs.current_design(organiser_id)
        content = current.signature if current else None
        mimetype = current.signature_mimetype if current else None
    elif signature:
        content, mimetype = signature, designs.check_signature(signature)
    else:
        content, mimetype = None, None
    return designs.check_design(data, content, mimetype)


def save_design(actor: User, organiser: Organiser, data: Mapping[str, str | None],
                signature: bytes | None | _Keep = KEEP) -> CertificateDesign:
    """Save the design as the organiser's next version, which becomes current."""
    require_designer(actor, organiser.id)
    values = _checked(organiser.id, data, signature)
    return _add_version(actor, organiser.id, values)


def restore_design(actor: User, organiser: Organiser, number: int) -> CertificateDesign:
    """Make an earlier version current again, as a new version copying it."""
    require_designer(actor, organiser.id)
    earlier = designs.version(organiser.id, number)
    if earlier is None:
        raise NotFound(_("This design version does not exist."))
    return _add_version(actor, organiser.id, DesignValues.of(earlier), restored_from=number)


def _add_version(actor: User, organiser_id: int, values: DesignValues,
                 restored_from: int | None = None) -> CertificateDesign:
    # Lock the organiser's row so two saves at once cannot both take the same number (the
    # unique constraint would refuse the second anyway).
    db.session.execute(select(Organiser.id).where(Organiser.id == organiser_id).with_for_update())
    last = db.session.scalar(select(func.max(CertificateDesign.number))
                             .where(CertificateDesign.organiser_id == organiser_id)) or 0
    design = CertificateDesign(
        organiser_id=organiser_id, number=last + 1, restored_from=restored_from,
        created_by_id=actor.id, signature=values.signature,
        signature_mimetype=values.signature_mimetype,
        **{name: getattr(values, name) for name in designs.FIELDS},
    )
    db.session.add(design)
    db.session.flush()
    log.info("user %s saved version %s of the certificate design of organiser %s",
             actor.id, design.number, organiser_id)
    return design


def preview_design(actor: User, organiser: Organiser, data: Mapping[str, str | None],
                   signature: bytes | None | _Keep = KEEP, kind: str | None = None) -> bytes:
    """A sample certificate as a PDF with these (unsaved) values; nothing is stored."""
    require_designer(actor, organiser.id)
    values = _checked(organiser.id, data, signature)
    try:
        learner_kind = Kind(kind or Kind.CAREGIVER.value)
    except ValueError:
        raise Invalid(_("Choose whether to preview the caregivers' or the professionals' "
                        "certificate."), field="kind") from None
    return render_design_preview(organiser, values, learner_kind, actor.language or Language.NL)
