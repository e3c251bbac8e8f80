"""Excel exports: asked for here, made by workers, downloaded when ready."""

from __future__ import annotations

from flask import render_template

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow


@bp.get("/exports")
@allow(*ALL_ROLES)
def exports():
    return render_template("console/placeholder.html", title="Exports")
