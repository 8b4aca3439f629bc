"""One Dutch word per concept (issue 16, item 15), as ../shared/DOMAIN.md names them.

A course (a training) is a "vorming" everywhere: the word caregivers know from their
municipality, and the one the menu uses ("Vormingen", "Mijn vormingen"). A page that says
"vorming" in its heading and "opleiding" in its list makes people wonder whether these are two
different things.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from tests.ui.test_translations import DUTCH_CATALOGUE

#: Dutch words the College does not use, and the word it uses for the same concept.
NOT_OUR_WORDS = {
    r"\bopleiding(en)?\b": "vorming",
    r"\bcursus(sen)?\b": "vorming",
    r"\bcursist(en)?\b": "deelnemer",
    r"\bdocent(en)?\b": "lesgever",
    r"\bcertifica(at|ten)\b": "attest",
    r"\bmantelzorgverlener(s)?\b": "mantelzorger",
}


def _dutch_texts() -> list[tuple[str, str]]:
    with DUTCH_CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="nl")
    texts = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [(ids[0], text) for text in strings if text]
    return texts


@pytest.mark.parametrize("pattern", NOT_OUR_WORDS, ids=lambda p: p.strip("\\b").split("(")[0])
def test_the_dutch_catalogue_uses_one_word_per_concept(pattern):
    wrong = [f"{msgid!r}: {text!r}" for msgid, text in _dutch_texts()
             if re.search(pattern, text, re.IGNORECASE)]
    assert not wrong, (f"say {NOT_OUR_WORDS[pattern]!r} instead, as in DOMAIN.md:\n"
                       + "\n".join(wrong))


def test_the_check_knows_the_words_of_the_domain():
    """The check reads the real catalogue: the words it keeps are there."""
    texts = " ".join(text for _msgid, text in _dutch_texts()).lower()
    for word in ("vorming", "mantelzorger", "lesgever", "attest", "wachtlijst", "deelnemer"):
        assert word in texts
