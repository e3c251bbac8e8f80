"""Signed respondent tokens: who is answering which survey, carried in the form's URLs.

The page that shows a survey decides who the respondent is (an entrant, an
invitation, a delegate, or a device on an open link) and signs it into the
token with the few facts a response keeps (unit, age band, gender,
occupation; the person only for identified surveys). Saving and submitting
then need no database: the token says everything, and cannot be altered.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer

from quiz.signing import CachedKeySigner

SALT = "quiz.survey.v1"


class BadToken(ValueError):
    """Forged, truncated or otherwise unreadable token."""


@dataclass(frozen=True, slots=True)
class RespondentToken:
    survey_id: int
    key: str  # "entrant:<id>", "invitation:<id>", "delegate:<id>" or "device:<hash>"
    limit: int  # responses this key may submit (1 but on open links)
    unit_id: int | None = None
    age_band: str | None = None
    gender: str | None = None
    occupation: str | None = None
    person: str | None = None  # identified surveys only: "entrant:<id>" and the like


class RespondentSigner:
    def __init__(self, secret: str | bytes) -> None:
        self._serializer = URLSafeSerializer(
            secret,
            salt=SALT,
            signer=CachedKeySigner,
            signer_kwargs={"digest_method": hashlib.sha256},
        )
        # A respondent sends the same token with every save: verify it once.
        self.verify = lru_cache(maxsize=50_000)(self._verify)

    def sign(self, token: RespondentToken) -> str:
        return self._serializer.dumps(list(asdict(token).values()))

    def _verify(self, text: str) -> RespondentToken:
        if not text or len(text) > 400:
            raise BadToken("empty or over-long token")
        try:
            values = self._serializer.loads(text)
            return RespondentToken(*values)
        except (BadSignature, TypeError, ValueError) as exc:
            raise BadToken(str(exc)) from exc
