"""The overview: what the account's units are running, and how it goes."""

from __future__ import annotations

from flask import render_template

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow


@bp.get("/")
@allow(*ALL_ROLES)
def dashboard():
    return render_template("console/placeholder.html", title="Overview")
