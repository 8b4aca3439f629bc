"""An organiser's certificate design: what it may hold (layouts, readable colours, a signature
image, text blocks with known placeholders) and which version is current.

The rules live here; saving, restoring and previewing are in design_services.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from college.certificates.models import CertificateDesign
from college.errors import Invalid
from college.extensions import db
from college.images import image_kind

#: The layout variants, each a different arrangement of the certificate page.
LAYOUTS = {
    "classic": _l("Classic: logo at the top, the details in two columns"),
    "modern": _l("Modern: a coloured band with the title, the details beside a coloured bar"),
    "compact": _l("Compact: centred in a frame, smaller text, the QR code in the corner"),
}
LAYOUT_NAMES = {"classic": _l("Classic"), "modern": _l("Modern"), "compact": _l("Compact")}
#: What a text block may name between braces, and what each stands for.
PLACEHOLDERS = {
    "learner": _l("the learner's name"),
    "training": _l("the title of the training"),
    "dates": _l("the dates of the edition"),
    "hours": _l("the number of hours"),
    "organiser": _l("the name of the organiser"),
}
#: WCAG AA for normal text: white text on the colour (and the colour on white) at least 4.5:1.
MIN_CONTRAST = 4.5
#: The colours of the caregivers' and the professionals' certificate before any design is saved.
CAREGIVERS_COLOUR = "#a4431e"
PROFESSIONALS_COLOUR = "#1b4f72"
SIGNATURE_MAX_BYTES = 256 * 1024
SIGNATURE_MAX_PIXELS = 2000 * 1000
TEXT_LIMITS = {"title_text": 120, "intro_text": 300, "closing_text": 600,
               "signatory_name": 120, "signatory_role": 120}
TEXT_FIELDS = ("title_text", "intro_text", "closing_text")
FIELDS = ("layout", "primary_colour", "accent_colour", "signatory_name", "signatory_role",
          *TEXT_FIELDS)

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class DesignValues:
    """A design as rendering uses it; colours None mean each track's own colour (the default)."""

    layout: str = "classic"
    primary_colour: str | None = None
    accent_colour: str | None = None
    signatory_name: str = ""
    signatory_role: str = ""
    title_text: str = ""
    intro_text: str = ""
    closing_text: str = ""
    signature: bytes | None = None
    signature_mimetype: str | None = None
    #: The saved version these values come from; None for the default or unsaved values.
    version: int | None = None

    @classmethod
    def of(cls, design: CertificateDesign | None) -> DesignValues:
        """The values of a saved version (the default design for None)."""
        if design is None:
            return DEFAULT
        return cls(**{name: getattr(design, name) for name in FIELDS},
                   signature=design.signature, signature_mimetype=design.signature_mimetype,
                   version=design.number)

    def form_values(self) -> dict[str, str]:
        """The fields as a form or the API shows them; the default's colours are its tracks'."""
        values = {name: getattr(self, name) or "" for name in FIELDS}
        values["primary_colour"] = self.primary_colour or PROFESSIONALS_COLOUR
        values["accent_colour"] = self.accent_colour or CAREGIVERS_COLOUR
        return values


DEFAULT = DesignValues()


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of a #rrggbb colour with white (1 to 21)."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def _check_colour(field: str, value: str | None) -> str:
    label = _("primary colour") if field == "primary_colour" else _("accent colour")
    value = (value or "").strip()
    if not _HEX.fullmatch(value):
        raise Invalid(_("Enter the %(colour)s as # and six hexadecimal digits, for example "
                        "#1b4f72.", colour=label), field=field)
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise Invalid(_("The %(colour)s %(value)s is too light: its contrast with white is "
                        "%(ratio)s:1, and text needs at least 4.5:1 to be readable. Choose a "
                        "darker colour.", colour=label, value=value, ratio=f"{ratio:.1f}"),
                      field=field)
    return value.lower()


def _braced(names) -> str:
    return ", ".join(f"{{{name}}}" for name in names)


def check_placeholders(field: str, text: str) -> None:
    """Refuse unknown placeholders and braces that open or close nothing, naming them."""
    unknown = [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    if unknown:
        raise Invalid(_("Unknown placeholder %(names)s. You can use %(known)s.",
                        names=_braced(unknown), known=_braced(PLACEHOLDERS)), field=field)
    rest = _PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        raise Invalid(_("A brace is not closed or not opened: write a placeholder as {learner}, "
                        "with one brace on each side."), field=field)


def check_signature(content: bytes) -> str:
    """The MIME type of an acceptable signature image: a real PNG or JPEG, small enough."""
    if len(content) > SIGNATURE_MAX_BYTES:
        raise Invalid(_("The signature image is too large: at most %(kb)d KB.",
                        kb=SIGNATURE_MAX_BYTES // 1024), field="signature")
    mimetype, pixels = image_kind(content)
    if mimetype is None:
        raise Invalid(_("The signature must be a PNG or JPEG image."), field="signature")
    if pixels > SIGNATURE_MAX_PIXELS:
        raise Invalid(_("The signature image is too large: at most 2000 by 1000 pixels."),
                      field="signature")
    return mimetype


def check_design(data: Mapping[str, str | None], signature: bytes | None,
                 signature_mimetype: str | None) -> DesignValues:
    """Checked design values from a form or the API; Invalid names the first field at fault."""
    layout = (data.get("layout") or "").strip()
    if layout not in LAYOUTS:
        raise Invalid(_("Choose one of the layouts: %(layouts)s.", layouts=", ".join(LAYOUTS)),
                      field="layout")
    values: dict[str, str] = {"layout": layout}
    for field in ("primary_colour", "accent_colour"):
        values[field] = _check_colour(field, data.get(field))
    for field, limit in TEXT_LIMITS.items():
        text = (data.get(field) or "").strip()
        if "\x00" in text:
            raise Invalid(_("This contains a NUL character, which no text may hold."), field=field)
        if len(text) > limit:
            raise Invalid(_("At most %(count)d characters.", count=limit), field=field)
        if field in TEXT_FIELDS:
            check_placeholders(field, text)
        values[field] = text
    return DesignValues(**values, signature=signature, signature_mimetype=signature_mimetype)


def fill(text: str, values: Mapping[str, str]) -> str:
    """A checked text block with its placeholders filled in (plain text: the template escapes it)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def current_design(organiser_id: int, *, with_signature: bool = True) -> CertificateDesign | None:
    """The organiser's current version (the highest number); None while it uses the default."""
    query = (select(CertificateDesign).where(CertificateDesign.organiser_id == organiser_id)
             .order_by(CertificateDesign.number.desc()).limit(1))
    if with_signature:
        query = query.options(undefer(CertificateDesign.signature))
    return db.session.scalar(query)


def design_values(organiser_id: int | None) -> DesignValues:
    """What the organiser's certificates are rendered with now."""
    return DEFAULT if organiser_id is None else DesignValues.of(current_design(organiser_id))


def versions(organiser_id: int) -> list[CertificateDesign]:
    """Every version of the organiser's design with who saved it, newest first."""
    return list(db.session.scalars(
        select(CertificateDesign).where(CertificateDesign.organiser_id == organiser_id)
        .options(selectinload(CertificateDesign.created_by))
        .order_by(CertificateDesign.number.desc())
    ))


def version(organiser_id: int, number: int) -> CertificateDesign | None:
    """One version of the organiser's design, with its signature image."""
    return db.session.scalar(
        select(CertificateDesign)
        .where(CertificateDesign.organiser_id == organiser_id, CertificateDesign.number == number)
        .options(undefer(CertificateDesign.signature))
    )
