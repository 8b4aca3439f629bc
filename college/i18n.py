"""Language and time-zone selection."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user


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
