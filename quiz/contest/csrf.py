"""CSRF checks for the attempt endpoints: Flask-WTF's tokens, verified once per process.

Flask-WTF's CSRFProtect builds a serializer and verifies the signed token on
every request. Answer saves are the busiest requests we serve and an entrant
sends the same token with each of them, so these views are exempt from
CSRFProtect and call `check_csrf` instead: the same token (rendered by
`csrf_token()`), the same signature and the same comparison with the raw
value in the session, but each distinct token's signature is verified only
once per process. Tokens do not expire (WTF_CSRF_TIME_LIMIT is None), so a
verified token stays valid for as long as its session holds the raw value.
"""

from __future__ import annotations

import hmac
from functools import lru_cache

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer

from quiz.signing import CachedKeyTimestampSigner

SALT = "wtf-csrf-token"  # Flask-WTF's, so its tokens verify here


@lru_cache(maxsize=50_000)
def raw_csrf_value(secret: str, token: str) -> str | None:
    """The raw value a signed CSRF token carries (verified once per token), or None."""
    try:
        serializer = URLSafeTimedSerializer(secret, salt=SALT, signer=CachedKeyTimestampSigner)
        return serializer.loads(token)
    except BadData:
        return None


MAX_TOKEN_LENGTH = 200  # Flask-WTF's tokens are about 90 characters


def csrf_secret(app: Flask) -> str:
    return app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key


def token_matches(secret: str, token: str | None, expected: str | None) -> bool:
    """The one CSRF rule, without a request: `token` (sent) is the signed form of
    `expected` (the raw value the session holds). The fast paths call it too."""
    if not token or not expected or len(token) > MAX_TOKEN_LENGTH:
        return False
    raw = raw_csrf_value(secret, token)
    return raw is not None and hmac.compare_digest(str(raw), str(expected))


def csrf_valid(body_token: str | None = None) -> bool:
    """The header's token, or the form's (`body_token` when the view parsed the body)."""
    token = request.headers.get("X-CSRFToken") or body_token or request.form.get("csrf_token")
    return token_matches(csrf_secret(current_app), token, session.get("csrf_token"))


CSRF_MESSAGE = _l("This page was open too long or cookies are off. Reload the page and try again.")
