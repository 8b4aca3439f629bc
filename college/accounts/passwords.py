"""Password rules and hashing (scrypt, through Werkzeug)."""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from college.errors import Invalid

MIN_LENGTH = 8

# The most used passwords in Belgium and worldwide; anything here is refused.
COMMON_PASSWORDS = frozenset(
    """
    123456 1234567 12345678 123456789 1234567890 0123456789 111111 11111111 000000 00000000
    123123 123123123 654321 987654321 666666 121212 112233 password password1 password123
    passw0rd p@ssw0rd qwerty qwerty123 qwertyuiop azerty azerty123 azertyuiop abc123 abcdef
    abcd1234 iloveyou welcome welcome1 welkom welkom01 welkom123 wachtwoord wachtwoord1
    wachtwoord123 paswoord paswoord1 motdepasse bonjour soleil letmein monkey dragon
    football voetbal sunshine princess admin admin123 administrator login master secret
    geheim geheim123 changeme trustno1 superman baseball starwars whatever shadow michael
    jennifer jordan23 hunter2 liefde schatje belgie belgium vlaanderen mantelzorg
    mantelzorger zorg1234 caregiver college 1q2w3e4r 1qaz2wsx zaq12wsx qazwsx aaaaaaaa
    """.split()
)


def check_password_rules(password: str) -> None:
    """Raise Invalid with a plain message when the password is too short or too common."""
    if len(password) < MIN_LENGTH:
        raise Invalid(
            _("Choose a password of at least %(n)d characters.", n=MIN_LENGTH), field="password"
        )
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 3:
        raise Invalid(
            _("This password is too easy to guess. Choose another one."), field="password"
        )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; also spends the hashing time when there is no hash to compare."""
    if password_hash is None:
        # Same cost as a real check, so timing does not reveal unknown emails.
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
