"""Attests are tagged PDF/A-3a: a screen reader finds the structure tree, the headings and
paragraphs of the attest's text and its language, and the College's signature still verifies."""

from __future__ import annotations

import re

import pytest
from pyhanko.sign.validation.status import SignatureCoverageLevel

from college.accounts.models import Language
from college.certificates.designs import LAYOUTS
from college.certificates.services import verify_pdf
from college.certificates.signing import Verdict
from tests.certificates.helpers import (
    designed_edition,
    designed_organiser,
    issued_pdf,
    pdf_reader,
    professional,
)
from tests.certificates.test_signing import validate


def _marked_texts(page) -> dict[int, str]:
    """The text of each marked-content sequence (MCID) of a page, as its content stream shows it."""
    texts: dict[int, list[str]] = {}
    open_ids: list[int | None] = []

    def before(operator, operands, _cm, _tm):
        if operator == b"BDC":
            properties = operands[1] if len(operands) > 1 else {}
            open_ids.append(properties.get("/MCID") if hasattr(properties, "get") else None)
        elif operator == b"BMC":
            open_ids.append(None)
        elif operator == b"EMC" and open_ids:
            open_ids.pop()

    def text(value, _cm, _tm, _font, _size):
        current = next((mcid for mcid in reversed(open_ids) if mcid is not None), None)
        if current is not None:
            texts.setdefault(current, []).append(value)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return {mcid: " ".join("".join(parts).split()) for mcid, parts in texts.items()}


def structure(content: bytes) -> list[tuple[str, str]]:
    """Every element of the structure tree in reading order, with the text it tags."""
    reader = pdf_reader(content)
    texts = _marked_texts(reader.pages[0])
    elements: list[tuple[str, str]] = []

    def own_ids(element) -> list[int]:
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        ids = []
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, int):
                ids.append(kid)
            elif hasattr(kid, "get") and kid.get("/Type") == "/MCR":
                ids.append(int(kid["/MCID"]))
            elif hasattr(kid, "get") and "/S" in kid:
                ids.extend(own_ids(kid))
        return ids

    def walk(element) -> None:
        element = element.get_object()
        if "/S" in element:
            elements.append((str(element["/S"]),
                             " ".join(texts.get(mcid, "") for mcid in own_ids(element)).strip()))
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and "/S" in kid:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return elements


#: The College's default design, and each layout of an organiser's own design (whose text
#: blocks are left empty here, so the usual wording shows).
DESIGNS = [None, *LAYOUTS]


@pytest.mark.parametrize("layout", DESIGNS)
@pytest.mark.parametrize(
    ("language", "heading", "paragraphs"),
    [
        (Language.NL, "Attest van deelname", ["Maria Peeters", "Met hartelijke dank"]),
        (Language.EN, "Certificate of participation", ["Maria Peeters", "With warm thanks"]),
    ],
)
def test_caregivers_attest_is_tagged_in_the_learners_language_and_still_signed(
        app, make, language, heading, paragraphs, layout):
    edition = designed_edition(make, layout, title_text="", intro_text="", closing_text="",
                               signature=None)
    certificate, content = issued_pdf(app, make, name="Maria Peeters", language=language,
                                      edition=edition)

    root = pdf_reader(content).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a PDF BooleanObject)
    assert root["/Lang"] == language.value
    metadata = root["/Metadata"].get_object().get_data()
    # PDF/A-3, level A (accessible), as attributes or elements, however the signer rewrote it.
    assert re.search(rb'pdfaid:part(="|>)3', metadata)
    assert re.search(rb'pdfaid:conformance(="|>)A', metadata)

    elements = structure(content)
    assert elements[0][0] == "/Document"
    assert ("/H1", heading) in elements
    tagged_paragraphs = [text for tag, text in elements if tag == "/P"]
    for expected in paragraphs:
        assert any(text.startswith(expected) for text in tagged_paragraphs), expected
    assert any(certificate.verification_code in text for text in tagged_paragraphs)
    # The QR code is a figure with its alternative text, not an unnamed picture.
    [figure] = [kid for kid in _figures(content)]
    assert figure.get("/Alt")

    # The signature is an incremental update: the tags stay, the signature verifies.
    status = validate(content)
    assert status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert verify_pdf(content).verdict == Verdict.VALID


@pytest.mark.parametrize("layout", DESIGNS)
def test_professional_attest_tags_its_heading_and_accreditation_rows(app, make, layout):
    learner = professional(make, name="Jan Janssens", language=Language.EN)
    course = make.course(designed_organiser(make, layout), title="Wondzorg",
                         open_to_caregivers=False, open_to_professionals=True)
    _, content = issued_pdf(app, make, learner=learner, edition=make.edition(course))

    elements = structure(content)
    assert ("/H1", "Attest for Jan Janssens" if layout else "Certificate") in elements
    assert any(tag == "/P" and text == "Jan Janssens" for tag, text in elements)
    assert any(tag == "/P" and text == "Wondzorg" for tag, text in elements)
    if layout:  # the design's text blocks and signatory are tagged text, the signature a figure
        assert any(tag == "/P" and text.startswith("Wondzorg took 6 hours on") for tag, text in elements)
        assert ("/P", "Els Claes") in elements and ("/P", "Coordinator of the hub") in elements
        assert all(figure.get("/Alt") for figure in _figures(content))
        assert len(_figures(content)) == 2  # the signature and the QR code
    assert pdf_reader(content).trailer["/Root"]["/Lang"] == "en"
    assert validate(content).intact
    assert verify_pdf(content).verdict == Verdict.VALID


def _figures(content: bytes) -> list:
    found = []

    def walk(element) -> None:
        element = element.get_object()
        if element.get("/S") == "/Figure":
            found.append(element)
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and "/S" in kid:
                walk(kid)

    walk(pdf_reader(content).trailer["/Root"]["/StructTreeRoot"])
    return found
