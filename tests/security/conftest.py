"""Fixtures of the security tests."""

from tests.enrolment.test_notifications import smtp_inbox  # noqa: F401  (a real SMTP server)
