"""Privacy (GDPR): a learner's data export, deletion, retention, and the access log."""
