"""Personal check-in tokens: what the QR code on an invitation or badge carries.

A token is `1-<conference id>-<secret>`: a one-character format version,
the conference's id (so a scanner can say "wrong conference" by itself,
even offline), and the delegate's secret, 16 random bytes (128 bits) in
base32. The secret is stored with the delegate and unique across
conferences; a token is genuine only if its secret names a delegate of the
conference it claims. Upper-case letters, digits and '-' are all QR
"alphanumeric" characters, so the code stays small (version 2 or 3 for the
bare token, at most 4 with the address in front).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass

VERSION = "1"
SECRET_BYTES = 16
# The token, bare or at the end of the invitation's address (/q/ or /Q/).
_TOKEN = re.compile(r"(?:^|/Q/)([0-9])-([0-9]{1,9})-([A-Z2-7]{26})/?$")


class BadToken(ValueError):
    """Not a personal token of ours (or one whose format version we do not know)."""


@dataclass(frozen=True, slots=True)
class PersonalToken:
    conference_id: int
    secret: str

    def __str__(self) -> str:
        return f"{VERSION}-{self.conference_id}-{self.secret}"


def new_secret() -> str:
    """26 base32 characters of fresh randomness (128 bits)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def looks_like_token(text: str) -> bool:
    return _TOKEN.search(text.strip().upper()) is not None


def parse_token(text: str) -> PersonalToken:
    """A scanned text (bare token or invitation address) as a token, or BadToken."""
    cleaned = (text or "").strip().upper()
    if len(cleaned) > 300:
        raise BadToken("over-long")
    match = _TOKEN.search(cleaned)
    if match is None:
        raise BadToken("no token")
    version, conference_id, secret = match.groups()
    if version != VERSION:
        raise BadToken(f"unknown token version {version}")
    return PersonalToken(int(conference_id), secret)


def token_hash(salt: str, secret: str) -> str:
    """What the offline list holds instead of the secret (computed again in scan.js)."""
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()[:32]


def new_salt() -> str:
    return secrets.token_hex(16)
