"""Create once: a key sent with a create request (a form's one-time token, an API client's
Idempotency-Key) makes a repeat of that request answer what the first one created."""
