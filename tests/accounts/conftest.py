"""Fixtures of the account tests."""

from tests.enrolment.test_notifications import smtp_inbox  # noqa: F401  (a real SMTP server)
