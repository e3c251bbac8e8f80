"""Certificates: of merit for each published prize, of participation when the round gives one.

A certificate carries a verification code, "W-42-…" for a prize (the
published `winners` row) or "P-7-1234-…" for taking part (round, entrant),
signed with an HMAC of the app's secret. Nothing is stored: the public
verify page recomputes the signature, then checks that the prize is still
published (a revoked prize no longer verifies) or that the entrant still
reaches the round's threshold (a disqualified one no longer does).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from quiz.catalog.rounds import RoundInfo, get_round
from quiz.extensions import db
from quiz.models import Contest, Entrant, Score, Unit, Winner
from quiz.results.public import mask_name, unit_label
from quiz.scoring.ranking import round_standings
from quiz.scoring.standings import load_results

SALT = b"quiz.certificate.v1"
MERIT, PARTICIPATION = "merit", "participation"


def _signature(payload: str) -> str:
    key = hmac.new(current_app.secret_key.encode(), SALT, hashlib.sha256).digest()
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:8]  # 64 bits
    return base64.b32encode(digest).decode().rstrip("=")


def winner_code(winner_id: int) -> str:
    payload = f"W-{winner_id}"
    return f"{payload}-{_signature(payload)}"


def participation_code(round_id: int, entrant_id: int) -> str:
    payload = f"P-{round_id}-{entrant_id}"
    return f"{payload}-{_signature(payload)}"


def read_code(text: str) -> tuple[str, tuple[int, ...]] | None:
    """(kind, ids) of a well-signed code, typed in any case with stray spaces; else None."""
    parts = "".join((text or "").split()).upper().split("-")
    if (
        len(parts) not in (3, 4)
        or len(parts[-1]) != 13
        or not all(p.isdigit() for p in parts[1:-1])
    ):
        return None
    payload = "-".join(parts[:-1])
    if not hmac.compare_digest(_signature(payload), parts[-1]):
        return None
    ids = tuple(int(p) for p in parts[1:-1])
    if parts[0] == "W" and len(ids) == 1:
        return MERIT, ids
    if parts[0] == "P" and len(ids) == 2:
        return PARTICIPATION, ids
    return None


@dataclass(frozen=True)
class Certificate:
    kind: str  # merit, participation
    code: str
    full_name: str
    masked_name: str
    unit: str
    contest_title: str
    organizer: str  # the organizing unit's full name ("" when none)
    round_number: int
    round_title: str
    prize: str | None
    correct: int
    total: int
    time_used_ms: int
    issued_ms: int  # the round's end


def _base(info: RoundInfo, entrant: Entrant, score, code: str, kind: str, prize=None):
    contest = db.session.get(Contest, info.contest_id)
    organizer = db.session.get(Unit, contest.owner_unit_id) if contest.owner_unit_id else None
    return Certificate(
        kind=kind,
        code=code,
        full_name=entrant.full_name,
        masked_name=mask_name(entrant.full_name),
        unit=unit_label(entrant),
        contest_title=info.contest_title,
        organizer=organizer.name if organizer else "",
        round_number=info.number,
        round_title=info.title,
        prize=prize,
        correct=score.correct,
        total=score.total,
        time_used_ms=score.time_used_ms,
        issued_ms=info.ends_at_ms,
    )


def merit_certificate(winner_id: int) -> Certificate | None:
    """The certificate of a prize still published; None once revoked."""
    row = db.session.execute(
        select(Winner, Score, Entrant)
        .join(Score, Score.attempt_id == Winner.attempt_id)
        .join(Entrant, Entrant.id == Winner.entrant_id)
        .where(Winner.id == winner_id, Winner.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    winner, score, entrant = row
    info = get_round(winner.round_id)
    return _base(info, entrant, score, winner_code(winner.id), MERIT, winner.prize)


def participation_certificate(round_id: int, entrant_id: int) -> Certificate | None:
    """The entrant's certificate of participation, if the round gives one and they reach it.

    The attempt that counts for the ranking decides, once the round has ended;
    a disqualified entrant has no counted attempt, so no certificate.
    """
    info = get_round(round_id)
    if info is None or info.certificate_min_correct is None or not info.closed:
        return None
    mine = load_results(round_id, entrant_id)
    standings = round_standings(mine, info.counting_rule, info.ranking_order, info.prediction_value)
    if not standings or standings[0].result.correct < info.certificate_min_correct:
        return None
    entrant = db.session.get(Entrant, entrant_id)
    code = participation_code(round_id, entrant_id)
    return _base(info, entrant, standings[0].result, code, PARTICIPATION)


def certificate_for(code: str) -> Certificate | None:
    """The certificate a code names, if the code is genuine and the certificate still holds."""
    read = read_code(code)
    if read is None:
        return None
    kind, ids = read
    if kind == MERIT:
        return merit_certificate(ids[0])
    return participation_certificate(*ids)


def entrant_certificates(round_ids, entrant_id: int) -> dict[int, list[Certificate]]:
    """An entrant's certificates in these rounds, by round id (for "my attempts")."""
    found: dict[int, list[Certificate]] = {}
    winners = db.session.scalars(
        select(Winner.id).where(
            Winner.round_id.in_(list(round_ids)),
            Winner.entrant_id == entrant_id,
            Winner.revoked_at.is_(None),
        )
    )
    for winner_id in winners:
        cert = merit_certificate(winner_id)
        if cert is not None:
            found.setdefault(db.session.get(Winner, winner_id).round_id, []).append(cert)
    for round_id in round_ids:
        cert = participation_certificate(round_id, entrant_id)
        if cert is not None:
            found.setdefault(round_id, []).append(cert)
    return found
