"""Console: conferences, delegates, documents, attendance."""

from __future__ import annotations

from flask import render_template

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow


@bp.get("/conferences")
@allow(*ALL_ROLES)
def conferences():
    return render_template("console/placeholder.html", title="Conferences")
