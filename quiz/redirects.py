"""Where a `next=` parameter may send the browser: a path on this site, nothing else.

Browsers read a Location header with the WHATWG URL parser, which forgives
much more than a naive check expects: it drops leading and trailing
control characters and spaces, removes tabs and newlines anywhere, reads a
backslash as a slash, and takes anything starting with two slashes as
another host. So "/\\t/evil.com", "/\\\\evil.com" and " //evil.com" all leave
the site although they start with "/" and not "//". Rather than imitate
the parser and hope to agree with every browser, `local_path` accepts only
what every parser reads the same way: a plain absolute path with none of
the characters the parser treats specially, checked again after each round
of percent-decoding (a proxy, a framework or the next page may decode
"%2F%2F" into "//"). Anything else falls back to a page chosen by the
route. Legitimate values are `request.full_path` of a page of ours, which
never needs what is refused here.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from werkzeug.urls import iri_to_uri

MAX_LENGTH = 2000
# C0 controls, space, DEL and backslash: stripped, removed or turned into "/"
# by browsers, so their presence means the string is not what it looks like.
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")
_DECODE_ROUNDS = 3


def local_path(target: str | None, default: str, *, under: str = "/") -> str:
    """`target` if it is a path on this site (below `under`), else `default`.

    The result is ASCII (non-ASCII characters percent-encoded), so the
    Location header is sent exactly as checked.
    """
    if not target or len(target) > MAX_LENGTH or _UNSAFE.search(target):
        return default
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    for _ in range(_DECODE_ROUNDS):
        if not _plain_path(path, under):
            return default
        decoded = unquote(path)
        if decoded == path:
            return iri_to_uri(target)
        path = decoded
    return default  # still encoded after several rounds: nobody links like that


def _plain_path(path: str, under: str) -> bool:
    """An absolute path without an authority, dot segments or doubled slashes."""
    if _UNSAFE.search(path) or not path.startswith("/") or "//" in path:
        return False
    if any(segment in {".", ".."} for segment in path.split("/")):
        return False
    prefix = under.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")
