"""The rotating venue code shown on the projector for self check-in.

Every 30 seconds the screen shows a new code: an HMAC of (conference,
session, 30-second slot) under the app's secret, written as 6 characters
from an alphabet without look-alikes (no 0/O, 1/I/L) so it can be typed on
a phone, and as a QR of the check-in address with the code in it.

A code is accepted until 60 seconds after the screen stopped showing it:
whoever saw it on the screen has at least a minute to open the page, and
a link forwarded to someone at home is refused by the time it is opened.
Both the screen and the check-in are timed by the server's clock, so the
minute also absorbs a slow network or a screen that lags one refresh.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

SLOT_MS = 30_000
GRACE_MS = 60_000  # after the code left the screen
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
# Slots looked at, beyond the accepted ones, to tell "expired" from "wrong".
RECENT_SLOTS = 120  # an hour


class CodeRefused(ValueError):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "wrong")
        self.expired = expired


@dataclass(frozen=True, slots=True)
class ShownCode:
    code: str
    slot: int
    changes_in_ms: int


def slot_of(ms: int) -> int:
    return ms // SLOT_MS


def code_for(secret: str | bytes, conference_id: int, session_id: int, slot: int) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"venue:{conference_id}:{session_id}:{slot}".encode()
    number = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def shown_code(secret, conference_id: int, session_id: int, now_ms: int) -> ShownCode:
    slot = slot_of(now_ms)
    return ShownCode(
        code_for(secret, conference_id, session_id, slot), slot, (slot + 1) * SLOT_MS - now_ms
    )


def normalize(typed: str) -> str:
    """What people type: lower case and spaces are forgiven."""
    return "".join((typed or "").split()).upper()[: LENGTH + 1]


def accepted(slot: int, now_ms: int) -> bool:
    """Whether a code of this slot may still be used: under a minute since it was shown."""
    return slot <= slot_of(now_ms) and now_ms < (slot + 1) * SLOT_MS + GRACE_MS


def check_code(
    secret, conference_id: int, session_ids: list[int], typed: str, now_ms: int
) -> tuple[int, int]:
    """(session id, slot) of a code still accepted; CodeRefused(expired=...) otherwise."""
    code = normalize(typed)
    if len(code) != LENGTH:
        raise CodeRefused(expired=False)
    current = slot_of(now_ms)
    for slot in range(current, current - RECENT_SLOTS, -1):
        for session_id in session_ids:
            if hmac.compare_digest(code_for(secret, conference_id, session_id, slot), code):
                if accepted(slot, now_ms):
                    return session_id, slot
                raise CodeRefused(expired=True)
    raise CodeRefused(expired=False)
