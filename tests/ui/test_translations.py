"""Every interface string is translatable, and the Dutch catalogue has all of them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import nodes

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
DUTCH_CATALOGUE = ROOT / "college" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"

#: Words that are the same in every language: the names of the languages in the switch.
UNTRANSLATED_WORDS = {"Nederlands", "English"}
#: Attributes a person reads or hears (screen readers), so they must be translated too.
VISIBLE_ATTRIBUTES = {
    "title", "aria-label", "aria-description", "aria-roledescription", "aria-valuetext",
    "placeholder", "alt", "label",
}
#: Stands in for {{ ... }}: what an expression prints is data or is checked on its own.
PLACEHOLDER = "\x00"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def is_untranslated(text: str) -> bool:
    """True when text has words other than the allowed ones: punctuation and numbers pass."""
    words = re.findall(r"[^\W\d_]+", text.replace(PLACEHOLDER, " "))
    return any(word not in UNTRANSLATED_WORDS for word in words)


class VisibleText(HTMLParser):
    """Collects the text nodes and readable attributes of HTML that are plain words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES and is_untranslated(value):
                self.found.append(f'{tag} {name}="{value}"')
        button_like = attributes.get("type") in ("submit", "button", "reset")
        if tag == "input" and button_like and is_untranslated(attributes.get("value") or ""):
            self.found.append(f'input value="{attributes["value"]}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and is_untranslated(data):
            self.found.append(data.strip().replace(PLACEHOLDER, "{{ }}"))


def literal_output(source: str, environment) -> list[str]:
    """String constants printed as they are: {{ "text" }}, {{ x or "text" }}, {{ "a" if c else "b" }}."""
    found = []

    def visit(node):
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            if is_untranslated(node.value):
                found.append(node.value)
        elif isinstance(node, (nodes.Or, nodes.And, nodes.Concat, nodes.CondExpr)):
            for child in node.iter_child_nodes():
                visit(child)

    for output in environment.parse(source).find_all(nodes.Output):
        for child in output.nodes:
            if not isinstance(child, nodes.TemplateData):
                visit(child)
    return found


def untranslated_strings(source: str, environment) -> list[str]:
    """Every user-visible string in a template's source that is not wrapped in _()."""
    parser = VisibleText()
    # {% %} and {# #} print nothing; {{ }} prints data or a translated string.
    html = _JINJA.sub(lambda m: PLACEHOLDER if m.group().startswith("{{") else "", source)
    parser.feed(html)
    parser.close()
    return parser.found + literal_output(source, environment)


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_untranslated_text(app, path):
    found = untranslated_strings(path.read_text(encoding="utf-8"), app.jinja_env)
    assert not found, f"wrap these in {{{{ _('...') }}}} in {path.relative_to(ROOT)}: {found}"


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hello</p>",
        "<p>{{ _('Hello') }} world</p>",
        '<input type="search" placeholder="Search">',
        '<a href="/" aria-label="Home">{{ icon }}</a>',
        '<img src="x.png" alt="A photo">',
        '<input type="submit" value="Send">',
        "<td>{{ person.email or 'no email' }}</td>",
        "<p>{{ 'Open' if open else 'Closed' }}</p>",
        "<button>{% if x %}Save{% endif %}</button>",
    ],
)
def test_checker_finds_untranslated_text(app, source):
    assert untranslated_strings(source, app.jinja_env)


@pytest.mark.parametrize(
    "source",
    [
        "<p>{{ _('Hello, %(name)s.', name=user.name) }}</p>",
        '<a aria-label="{{ _(\'Home\') }}" href="{{ url_for(\'main.index\') }}">1 · 2 – 3</a>',
        '<a href="/" class="button big" lang="nl">Nederlands</a> / English',
        "<td>{{ person.email or _('no email') }}</td>",
        "{% set x = 'a string in logic' %}<p>{{ x|sort(attribute='value') }}</p>",
        '<input type="email" name="email" value="{{ value }}" autocomplete="email">',
        "<script src=\"/static/app.js\"></script>{# a comment with words #}",
    ],
)
def test_checker_accepts_translated_text_and_data(app, source):
    assert untranslated_strings(source, app.jinja_env) == []


def extracted_msgids() -> set[str]:
    """The msgids `make extract` finds in the current code and templates (babel.cfg)."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    msgids = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        msgids.add(message[0] if isinstance(message, tuple) else message)
    return msgids


def test_extraction_finds_python_lazy_and_template_strings():
    msgids = extracted_msgids()
    assert "The email address or password is not correct." in msgids  # gettext in a view
    assert "Who are you?" in msgids  # lazy_gettext as _l in a form
    assert "Skip to content" in msgids  # a template


def test_dutch_catalogue_has_every_string():
    with DUTCH_CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="nl")
    missing = []
    for msgid in sorted(extracted_msgids()):
        message = catalogue.get(msgid)
        strings = message.string if message else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(strings):
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} strings have no Dutch translation: run `make extract`, then fill "
        f"{DUTCH_CATALOGUE.relative_to(ROOT)}: {missing}"
    )


def test_dutch_catalogue_keeps_every_placeholder():
    with DUTCH_CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="nl")
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalogue.check()]
    assert not problems
