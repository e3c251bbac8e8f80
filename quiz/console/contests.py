"""Console: contests."""

from __future__ import annotations

from flask import render_template

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow


@bp.get("/contests")
@allow(*ALL_ROLES)
def contests():
    return render_template("console/placeholder.html", title="Contests")
