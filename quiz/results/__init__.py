"""What anyone may see once organizers publish: results, certificates; an entrant's own attempts."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from quiz.results import views  # noqa: E402,F401  (routes register on import)
