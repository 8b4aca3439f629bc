"""Language and time-zone selection, and the templates' translated strings."""

from __future__ import annotations

from babel import Locale
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup


def select_locale() -> str:
    """The user's preference, else the language chosen in this browser, else Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    chosen = session.get("language")
    # Loading the user may itself need a translation; do not recurse into it.
    if not g.get("_choosing_locale"):
        g._choosing_locale = True
        try:
            if current_user.is_authenticated:
                return current_user.language.value
        finally:
            g._choosing_locale = False
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    """Every time is shown in Brussels: the College is Flemish."""
    return "Europe/Brussels"


_CATALOGUES: dict[Locale, Translations | NullTranslations] = {}


def catalogue() -> Translations | NullTranslations:
    """The current language's translations, looked up once per language and process.

    Flask-Babel keeps each language's catalogue for the life of the process too; this skips
    its three context look-ups per string, which cost a page of 50 cards a tenth of its time.
    """
    locale = get_locale()
    if locale is None:
        return get_translations()
    try:
        return _CATALOGUES[locale]
    except KeyError:
        return _CATALOGUES.setdefault(locale, get_translations())


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, string: str, **variables) -> str:
    """`_()` and `gettext()` in templates: what Jinja's newstyle gettext does, from `catalogue`."""
    translated = catalogue().ugettext(string)
    if eval_ctx.autoescape:
        translated = Markup(translated)  # nosec B704 # noqa: S704 - our own catalogue, as Jinja does
    # Like Jinja's newstyle gettext: always a format string, so "%%" reads "%" everywhere.
    return translated % variables
