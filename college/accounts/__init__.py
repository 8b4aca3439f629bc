"""Accounts: registration, login, passwords, and the staff a coordinator manages."""
