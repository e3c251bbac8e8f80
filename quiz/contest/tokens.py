"""Signed attempt tokens: the attempt's capability, carried in its URLs.

The token names the attempt, its round, its entrant, its deadline, its
number of questions and how many options each question has, signed with the
app's secret (HMAC-SHA256 through itsdangerous). Saving and submitting check
it without reading the database or the paper: a save naming a question or an
option the paper does not have is refused from the token alone. A token is
bound to its entrant: another entrant's session is refused.

Tokens signed before the option counts were added (five fields) still
verify, with `options` None: their saves are checked against the paper.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature

from quiz.catalog.options import base36, pack_options, unpack_options
from quiz.signing import CachedKeySigner

SALT = "quiz.attempt.v1"


class BadToken(ValueError):
    """Forged, truncated or otherwise unreadable token."""


@dataclass(frozen=True, slots=True)
class AttemptToken:
    attempt_id: int
    round_id: int
    entrant_id: int
    deadline_ms: int
    size: int  # questions on the paper
    options: tuple[int, ...] | None = None  # options per question; None in older tokens

    def payload(self) -> str:
        parts = (self.attempt_id, self.round_id, self.entrant_id, self.deadline_ms, self.size)
        text = ".".join(base36(p) for p in parts)
        return text if self.options is None else f"{text}.{pack_options(self.options)}"


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
            parts = self._signer.unsign(text).decode().split(".")
            if len(parts) not in (5, 6):
                raise ValueError(f"{len(parts)} fields")
            values = [int(p, 36) for p in parts[:5]]
            options = unpack_options(parts[5], values[4]) if len(parts) == 6 else None
            return AttemptToken(*values, options)
        except (BadSignature, ValueError, TypeError) as exc:
            raise BadToken(str(exc)) from exc
