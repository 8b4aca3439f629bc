"""Catalogue: courses per track, editions and sessions, their management and calendar feeds."""
