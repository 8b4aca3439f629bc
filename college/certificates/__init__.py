"""Certificates: queued PDF rendering, storage, verification."""
