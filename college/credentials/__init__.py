"""Portable digital credentials: each issued attest as a signed Open Badges 3.0 credential."""
