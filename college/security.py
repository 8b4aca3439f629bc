"""Security headers on every response, and the refusal of debug mode in production."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from college.config import ConfigError
from college.extensions import MAIL_FORM_RATE_LIMIT, limiter

#: The strict policy of every page: scripts, styles and fonts only from the College itself.
DEFAULT_CSP: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

HSTS = "max-age=31536000; includeSubDomains"


def relax_csp(app: Flask, path_prefix: str, **directives: Iterable[str]) -> None:
    """Replace CSP directives for the pages under one path only (the API docs' Swagger UI).

    Directive names use underscores: ``relax_csp(app, "/api/v1/docs", script_src=[...])``.
    """
    overrides = app.extensions.setdefault("college_csp_overrides", {})
    overrides.setdefault(path_prefix, {}).update(
        {name.replace("_", "-"): tuple(sources) for name, sources in directives.items()}
    )


def content_security_policy(app: Flask, path: str) -> str:
    """The Content-Security-Policy header value for a path."""
    policy = dict(DEFAULT_CSP)
    for prefix, directives in app.extensions.get("college_csp_overrides", {}).items():
        if path.startswith(prefix):
            policy.update(directives)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def allow_framing(response: Response) -> None:
    """This one response may be framed by any site (a region's embeddable list): no
    X-Frame-Options; its view sets `frame-ancestors *` in its own policy."""
    response.may_be_framed = True


def refuse_debug_in_production(app: Flask) -> None:
    """Stop when the app would run the interactive debugger in production."""
    if app.config.get("PRODUCTION") and app.debug:
        raise ConfigError("Debug mode is not allowed in production (unset FLASK_DEBUG).")


def trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from the PROXY_COUNT trusted proxies in front."""
    count = app.config.get("PROXY_COUNT", 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)


def init_app(app: Flask) -> None:
    """Trust the configured proxies, refuse debug mode in production, add security headers."""
    trust_proxies(app)
    refuse_debug_in_production(app)

    @app.before_request
    def _no_debugger_in_production():
        # app.run(debug=True) switches debug on after create_app: refuse to serve then too.
        if app.config.get("PRODUCTION") and app.debug:
            return Response("Debug mode is not allowed in production.", 500, mimetype="text/plain")
        return None

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(app, request.path))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not getattr(response, "may_be_framed", False):
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("PRODUCTION"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response


# Guessing: passwords (the login page and the API's tokens) have their own limiter that counts
# failures only and never locks an account (college.accounts.throttle). The forms below are
# limited per client address (an attacker's own budget); the forms that mail someone also per
# email address, alike for known and unknown addresses (so a limit tells nothing about who has
# an account), generous enough for a forgetful person and too few to flood a mailbox. Limits
# answer 429 for a while and lapse by themselves: a reset link already mailed keeps working.
# Wrong check-in codes are also counted per learner by the attendance service.
#: Reset requests and registrations per client address, and their mails per email address.
RESETS_PER_ADDRESS = MAIL_FORM_RATE_LIMIT
RESETS_PER_EMAIL = "5 per hour"
REGISTRATIONS_PER_ADDRESS = MAIL_FORM_RATE_LIMIT
REGISTRATIONS_PER_EMAIL = "5 per hour"
#: Check-in codes per client address: a whole classroom on one Wi-Fi checks in within minutes.
CHECKINS_PER_ADDRESS = "60 per minute"
#: Certificate verification lookups per client address (an employer checks one or a few).
VERIFICATIONS_PER_ADDRESS = "30 per minute"
#: Referrals through a hub's public form per client address (a practice refers a few a day).
REFERRALS_PER_ADDRESS = "10 per hour"


def _email_key() -> str:
    """The email address a form or a JSON body names, as the limits' key."""
    body = request.get_json(silent=True) if request.is_json else None
    email = request.form.get("email") or (body.get("email") if isinstance(body, dict) else None)
    return "email:" + (email if isinstance(email, str) else "").strip().lower()[:254]


def limit_guesses(target: str) -> Callable:
    """Decorator: limit a form (target "reset", "register", "checkin", "verify" or "refer")
    as above."""
    post = {"methods": ["POST"]}
    if target == "register":
        limits = [
            limiter.limit(REGISTRATIONS_PER_ADDRESS, scope="register-address", **post),
            limiter.limit(REGISTRATIONS_PER_EMAIL, key_func=_email_key, scope="register-email",
                          **post),
        ]
    elif target == "reset":
        limits = [
            limiter.limit(RESETS_PER_ADDRESS, scope="reset-address", **post),
            limiter.limit(RESETS_PER_EMAIL, key_func=_email_key, scope="reset-email", **post),
        ]
    elif target == "checkin":
        limits = [limiter.limit(CHECKINS_PER_ADDRESS, scope="checkin-address", **post)]
    elif target == "verify":
        # Shared: the page and the API answer from one budget per address.
        limits = [limiter.shared_limit(VERIFICATIONS_PER_ADDRESS, scope="verify-address")]
    elif target == "refer":
        limits = [limiter.limit(REFERRALS_PER_ADDRESS, scope="refer-address", **post)]
    else:
        raise ValueError(f"unknown rate limit target {target!r}")

    def decorator(view: Callable) -> Callable:
        for limit in limits:
            view = limit(view)
        return view

    return decorator
