"""Accounts: registration, login, passwords, and the staff a coordinator manages."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from college.accounts import views  # noqa: E402,F401
