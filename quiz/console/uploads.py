"""Uploaded files kept between the preview and the confirmation of an import.

The one way every console import (question banks, units, delegates) keeps
its upload: the confirmed import uses the very bytes that were previewed
(never a second upload), kept in Redis for half an hour under a random
token bound to the account and to what they were uploaded for, and taken
out in the same step that reads them, so one preview imports at most once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_login import current_user

from quiz.extensions import get_redis
from quiz.scoring import keys
from quiz.spreadsheets import MAX_FILE_BYTES

KEEP_SECONDS = 1800
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


def _key(purpose: str, token: str) -> str:
    return keys.upload(purpose, current_user.id, token)


def stash(purpose: str, data: bytes, filename: str = "") -> str:
    """Keep an upload for its confirmation; the token goes into the preview's form."""
    token = secrets.token_urlsafe(24)
    pipe = get_redis().pipeline(transaction=True)
    pipe.hset(_key(purpose, token), mapping={"data": data, "name": filename[:120].encode()})
    pipe.expire(_key(purpose, token), KEEP_SECONDS)
    pipe.execute()
    return token


def take(purpose: str, token: str) -> Upload | None:
    """The stashed upload, removed as it is read (None: expired, taken, or not this account's)."""
    if not _TOKEN.match(token or ""):
        return None
    pipe = get_redis().pipeline(transaction=True)  # MULTI, on a cluster too (one key)
    pipe.hgetall(_key(purpose, token))
    pipe.delete(_key(purpose, token))
    stored, _deleted = pipe.execute()
    if not stored or b"data" not in stored:
        return None
    return Upload(stored[b"data"], stored.get(b"name", b"").decode(errors="replace"))


def read_upload(storage) -> bytes:
    """At most MAX_FILE_BYTES + 1 of an uploaded file (the reader refuses what is larger)."""
    return storage.read(MAX_FILE_BYTES + 1)
