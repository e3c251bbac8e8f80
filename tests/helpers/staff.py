"""A test client signed in as a staff account, the way Flask-Login signs one in.

The session is set directly, skipping the deliberately slow password check
(tests/console/test_auth.py covers signing in itself).
"""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient

from quiz.console.access import SESSION_KEY
from quiz.models import Staff


def signed_in_client(app: Flask, staff: Staff) -> FlaskClient:
    """A client whose session holds `staff` (its "id:session version", as login_user keeps it)."""
    user_id = staff.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session[SESSION_KEY] = int(time.time())
    return client
