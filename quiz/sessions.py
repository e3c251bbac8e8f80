"""Flask's signed-cookie sessions, each distinct cookie verified once per process.

Every answer save carries the entrant's session cookie, and since sessions
are not re-signed on every request (SESSION_REFRESH_EACH_REQUEST is off),
an entrant sends the same cookie for a whole attempt. Verifying its
signature and decoding it each time cost more than the save itself, so a
bounded cache remembers what each cookie decoded to for a few minutes. The
cookie format, signing and expiry are Flask's own.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from quiz.signing import CachedKeyTimestampSigner

CACHE_SIZE = 20_000
CACHE_SECONDS = 300


class CachedCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[int, object] = {}
        self._decoded: OrderedDict[str, tuple[float, dict]] = OrderedDict()

    def get_signing_serializer(self, app: Flask):
        serializer = self._serializers.get(id(app))
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                serializer.signer = CachedKeyTimestampSigner
                self._serializers[id(app)] = serializer
        return serializer

    def decode(self, app: Flask, value: str) -> dict | None:
        """The session a cookie value holds, or None if it is forged or expired."""
        now = time.monotonic()
        cached = self._decoded.get(value)
        if cached is not None and cached[0] > now:
            return cached[1]
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            lifetime = int(app.permanent_session_lifetime.total_seconds())
            data = serializer.loads(value, max_age=lifetime)
        except BadSignature:
            return None
        self._decoded[value] = (now + CACHE_SECONDS, data)
        if len(self._decoded) > CACHE_SIZE:
            self._decoded.popitem(last=False)
        return data

    def open_session(self, app: Flask, request):
        if self.get_signing_serializer(app) is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        data = self.decode(app, value) if value else None
        # A copy: the request may change its session; the cache must not change.
        return self.session_class(dict(data)) if data else self.session_class()
