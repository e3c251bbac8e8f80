"""Surveys: the respondent's pages, drafts and submits in Redis, and the worker that stores them."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from quiz.surveys import views, who  # noqa: E402,F401  (routes register on import)
