"""Conferences: invitations, QR check-in at the venue and by staff, attendance."""

from flask import Blueprint

bp = Blueprint("conferences", __name__)

from quiz.conferences import views  # noqa: E402,F401  (routes register on import)
