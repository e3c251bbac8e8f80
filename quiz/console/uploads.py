"""Uploaded files kept between the preview and the confirmation of an import.

The confirmed import uses the very bytes that were previewed (never a
second upload), kept in Redis for half an hour and bound to the account
and to what they were uploaded for.
"""

from __future__ import annotations

import secrets

from flask_login import current_user

from quiz.extensions import get_redis
from quiz.scoring import keys
from quiz.spreadsheets import MAX_FILE_BYTES

KEEP_SECONDS = 1800


def _key(purpose: str, token: str) -> str:
    return keys.upload(purpose, current_user.id, token)


def stash(purpose: str, data: bytes) -> str:
    token = secrets.token_urlsafe(16)
    get_redis().set(_key(purpose, token), data, ex=KEEP_SECONDS)
    return token


def fetch(purpose: str, token: str) -> bytes | None:
    if not token or len(token) > 64:
        return None
    return get_redis().get(_key(purpose, token))


def drop(purpose: str, token: str) -> None:
    get_redis().delete(_key(purpose, token))


def read_upload(storage) -> bytes:
    """At most MAX_FILE_BYTES + 1 of an uploaded file (the reader refuses what is larger)."""
    return storage.read(MAX_FILE_BYTES + 1)
