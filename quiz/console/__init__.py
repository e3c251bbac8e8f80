"""The organizer console: one blueprint, guarded in one place (access.py).

Every route is closed unless it declares who may use it (`@allow(...)`), and
every object named in a URL (contest, round, bank, unit, staff account,
export) is loaded and checked against the account's unit before the view
runs: an organizer of one district gets a 404 for another district's
contest, whatever id they try.
"""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")

from quiz.console import (  # noqa: E402,F401  (routes register on import)
    access,
    audit_log,
    auth,
    banks,
    contests,
    dashboard,
    exports,
    results,
    staff,
    survey_results,
    system,
    unit_results,
    units,
)
from quiz.console.conferences import (  # noqa: E402,F401
    attendance,
    delegates,
    listing,
    scan_worker,
    scanning,
    setup,
)
from quiz.console.surveys import (  # noqa: E402,F401
    invitations,
    questions,
    review,
    settings,
)
