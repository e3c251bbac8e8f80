"""The WSGI layer both fast paths share: some POSTs served before Flask, the rest untouched.

A subclass names the requests it may serve (`route`) and serves them; it
answers None to decline, and the request, body included, goes to the Flask
app, whose view runs the same rules and answers with the precise message.
`ATTEMPT_FASTPATH` (Config) turns every fast path off.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

from flask import Flask
from werkzeug.http import parse_cookie

Reply = tuple[str, list[tuple[str, str]], bytes]
Handler = Callable[[dict, bytes], Reply | None]

SAVED = b'{"ok":true}\n'
HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Vary", "Cookie"),
    ("Cache-Control", "no-store"),
]


def read_form(body: bytes, max_fields: int, keep_blank: bool = False) -> dict[str, list[str]]:
    """What `urllib.parse.parse_qs` makes of a urlencoded body (same limit, same ValueError
    past it, same blanks), unquoting only the names and values that hold an escape: a survey
    submit's 45 fields cost parse_qs about a tenth of the request's Python time."""
    text = body.decode("utf-8")
    if text.count("&") + 1 > max_fields:
        raise ValueError("Max number of fields exceeded")
    form: dict[str, list[str]] = {}
    for piece in text.split("&"):
        name, equals, value = piece.partition("=")
        if not (value or keep_blank and (equals or name)):
            continue
        if "%" in name or "+" in name:
            name = unquote(name.replace("+", " "))
        if "%" in value or "+" in value:
            value = unquote(value.replace("+", " "))
        form.setdefault(name, []).append(value)
    return form


@lru_cache(maxsize=20_000)
def cookie_value(header: str, name: str) -> str | None:
    """The named cookie of a Cookie header. A respondent or an entrant sends the same
    header with every save, so each distinct header is parsed once per process."""
    return parse_cookie(header).get(name)


def saved() -> Reply:
    return "200 OK", [("Content-Type", "application/json"), *HEADERS], SAVED


def see_other(environ, path: str) -> Reply:
    location = f"{environ.get('SCRIPT_NAME', '')}{path}"
    return "303 See Other", [("Location", location), ("Content-Type", "text/plain"), *HEADERS], b""


class FastPath:
    max_body = 16 * 1024
    log = logging.getLogger(__name__)

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]

    def route(self, path: str) -> Handler | None:
        """The handler of a POST to `path` this layer may serve, or None."""
        raise NotImplementedError

    def session(self, environ) -> dict | None:
        """The request's Flask session as its signed cookie holds it (None: no valid cookie)."""
        cookie = cookie_value(environ.get("HTTP_COOKIE", ""), self.cookie_name)
        return self.app.session_interface.decode(self.app, cookie) if cookie else None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or not self.app.config["ATTEMPT_FASTPATH"]:
            return self.wsgi_app(environ, start_response)
        handler = self.route(environ.get("PATH_INFO", ""))
        if handler is None:
            return self.wsgi_app(environ, start_response)
        body = self._read_body(environ)
        reply = None
        if body is not None:
            try:
                reply = handler(environ, body)
            except UnicodeDecodeError:
                reply = None  # a body that is not text: the view refuses it, nothing to log
            except Exception:  # noqa: BLE001 - the Flask view will answer (e.g. 503)
                self.log.warning("%s declined", type(self).__name__, exc_info=True)
                reply = None
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        if reply is None:
            return self.wsgi_app(environ, start_response)
        status, headers, payload = reply
        start_response(status, headers + [("Content-Length", str(len(payload)))])
        return [payload]

    def _read_body(self, environ) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length > self.max_body or length < 0:
            return None
        return environ["wsgi.input"].read(length) if length else b""
