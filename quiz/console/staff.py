"""Console: staff."""

from __future__ import annotations

from flask import render_template

from quiz.console import bp
from quiz.console.access import ADMINS, allow


@bp.get("/staff")
@allow(*ADMINS)
def staff_list():
    return render_template("console/placeholder.html", title="Accounts")
