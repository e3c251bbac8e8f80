"""The entrant's side: contest pages, registration, attempts and leaderboards."""

from flask import Blueprint

bp = Blueprint("contest", __name__)

from quiz.contest import board_views, entry_views, views  # noqa: E402,F401  (routes register on import)
