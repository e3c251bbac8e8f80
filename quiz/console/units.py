"""Units: the tree, editing, moving and merging, and import from Excel."""

from __future__ import annotations

from flask import render_template

from quiz.console import bp
from quiz.console.access import ALL_ROLES, allow


@bp.get("/units")
@allow(*ALL_ROLES)
def units():
    return render_template("console/placeholder.html", title="Units")
