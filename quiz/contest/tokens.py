"""Signed attempt tokens: the attempt's capability, carried in its URLs.

The token names the attempt, its round, its entrant, its deadline and its
number of questions, signed with the app's secret (HMAC-SHA256 through
itsdangerous). Saving and submitting check it without reading the database.
A token is bound to its entrant: another entrant's session is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature

from quiz.signing import CachedKeySigner

SALT = "quiz.attempt.v1"


class BadToken(ValueError):
    """Forged, truncated or otherwise unreadable token."""


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    out = []
    while n:
        n, r = divmod(n, 36)
        out.append(digits[r])
    return "".join(reversed(out))


@dataclass(frozen=True, slots=True)
class AttemptToken:
    attempt_id: int
    round_id: int
    entrant_id: int
    deadline_ms: int
    size: int  # questions on the paper

    def payload(self) -> str:
        parts = (self.attempt_id, self.round_id, self.entrant_id, self.deadline_ms, self.size)
        return ".".join(_b36(p) for p in parts)


class TokenSigner:
    def __init__(self, secret: str | bytes) -> None:
        self._signer = CachedKeySigner(secret, salt=SALT, digest_method=hashlib.sha256)
        # An entrant sends the same token with every save: verify it once.
        self.verify = lru_cache(maxsize=50_000)(self._verify)

    def sign(self, token: AttemptToken) -> str:
        return self._signer.sign(token.payload()).decode()

    def _verify(self, text: str) -> AttemptToken:
        if not text or len(text) > 200:
            raise BadToken("empty or over-long token")
        try:
            payload = self._signer.unsign(text).decode()
            values = [int(p, 36) for p in payload.split(".")]
            return AttemptToken(*values)
        except (BadSignature, ValueError, TypeError) as exc:
            raise BadToken(str(exc)) from exc
