"""The submission buffer: answers and submissions held in Redis until scored.

Saving an answer and submitting an attempt are each one round trip to Redis
(a Lua script), and never touch the database: the hot path stays as cheap
as the framework allows. Submitting marks the attempt submitted and queues
it on a Redis stream, atomically; from then on saves are refused, so the
saved answers are frozen, and the scorer reads them together with the
answers the submit itself carried (a page without JavaScript sends them
all at once), the latter taking precedence. A second submit (double click,
retry after a timeout) finds the first receipt.

Production runs Redis with an append-only file (see README: durability),
so an accepted submission survives a Redis restart until a worker has
written its score to the database, which is the authority from then on.

The scripts are `lua/save.lua` and `lua/submit.lua`. Both refuse an attempt
this Redis has no answers hash for (the start script makes one) unless the
caller vouches for it: after Redis lost data, a save or submit for an
attempt that no longer exists must never be stored or given a receipt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

import redis

from quiz.lua import load_script
from quiz.scoring import keys
from quiz.scoring.codes import SaveCode, SubmitCode

# Answers and receipts outlive the attempt by this much; after it, the
# database holds everything there is to show.
KEEP_SECONDS = 2 * 24 * 3600


class AttemptClosed(Exception):
    """The attempt was already submitted: answers can no longer change."""


class TooManySaves(Exception):
    """More saves than any honest entrant makes: refused."""


class AttemptUnknown(Exception):
    """Redis has no trace of this attempt: look for it elsewhere before going on."""


@dataclass(frozen=True, slots=True)
class Receipt:
    attempt_id: int
    submitted_at_ms: int
    code: str
    auto: bool
    # True only for the request that actually submitted (not a repeat).
    fresh: bool = False
    # True when this submit asked for a drain job to be enqueued.
    needs_drain: bool = False

    @classmethod
    def parse(cls, attempt_id: int, raw: bytes | str, **extra) -> Receipt:
        text = raw.decode() if isinstance(raw, bytes) else raw
        submitted, code, auto = text.split("|")
        return cls(attempt_id, int(submitted), code, auto == "1", **extra)


def receipt_code(secret: bytes, attempt_id: int, submitted_at_ms: int) -> str:
    """A short code the entrant can quote: 'ABCD-EFGH', derived, not stored."""
    digest = hmac.new(secret, f"{attempt_id}:{submitted_at_ms}".encode(), hashlib.sha256)
    text = base64.b32encode(digest.digest()[:5]).decode()
    return f"{text[:4]}-{text[4:8]}"


def pack_answers(fields: Mapping[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in fields.items())


def unpack_answers(packed: str) -> dict[str, str]:
    saved: dict[str, str] = {}
    if packed:
        for item in packed.split(";"):
            name, _, value = item.partition("=")
            saved[name] = value
    return saved


class SubmissionBuffer:
    def __init__(self, client: redis.Redis, secret: bytes) -> None:
        self.client = client
        self.secret = secret
        self._save = load_script(client, __file__, "save")
        self._submit = load_script(client, __file__, "submit")

    def save_answer(
        self,
        attempt_id: int,
        field: str,
        value: str,
        max_saves: int,
        now_ms: int,
        known: bool = False,
    ) -> int:
        """Store one answer, and when it was given (the same answer twice is the same state).

        `known`: the caller found the attempt (in the database): store even
        if Redis has no answers hash for it.
        """
        n = self._save(
            keys=[keys.answers(attempt_id), keys.receipt(attempt_id)],
            args=[field, value, max_saves, KEEP_SECONDS, now_ms, "1" if known else "0"],
        )
        if n == SaveCode.CLOSED:
            raise AttemptClosed(attempt_id)
        if n == SaveCode.TOO_MANY_SAVES:
            raise TooManySaves(attempt_id)
        if n == SaveCode.UNKNOWN:
            raise AttemptUnknown(attempt_id)
        return n

    def submit(
        self,
        attempt_id: int,
        submitted_at_ms: int,
        final_answers: Mapping[str, str] | None = None,
        auto: bool = False,
        known: bool = False,
    ) -> Receipt:
        """Mark submitted and queue for scoring, once. Repeats get the first receipt.

        `known`: the caller found the attempt (in the database); without it,
        an attempt Redis has no answers hash for raises AttemptUnknown.
        """
        code = receipt_code(self.secret, attempt_id, submitted_at_ms)
        reply = self._submit(
            keys=[
                keys.answers(attempt_id),
                keys.receipt(attempt_id),
                keys.SUBMISSION_STREAM,
                keys.DRAIN_SCHEDULED,
            ],
            args=[
                attempt_id,
                submitted_at_ms,
                code,
                "1" if auto else "0",
                KEEP_SECONDS,
                pack_answers(final_answers or {}),
                "1" if known else "0",
            ],
        )
        code = SubmitCode(int(reply[0]))
        if code == SubmitCode.UNKNOWN:
            raise AttemptUnknown(attempt_id)
        if code == SubmitCode.REPEATED:
            return Receipt.parse(attempt_id, reply[1])
        return Receipt.parse(attempt_id, reply[1], fresh=True, needs_drain=bool(reply[2]))

    def receipt(self, attempt_id: int) -> Receipt | None:
        raw = self.client.get(keys.receipt(attempt_id))
        return Receipt.parse(attempt_id, raw) if raw else None

    def saved_answers(self, attempt_id: int) -> dict[str, str]:
        raw = self.client.hgetall(keys.answers(attempt_id))
        return {k.decode(): v.decode() for k, v in raw.items() if k[:1] not in (b"#", b"@")}
