"""Console: banks."""

from __future__ import annotations

from flask import render_template

from quiz.console import bp
from quiz.console.access import EDITORS, allow


@bp.get("/banks")
@allow(*EDITORS)
def banks():
    return render_template("console/placeholder.html", title="Banks")
