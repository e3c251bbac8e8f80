"""Excel exports, streamed: a million rows in bounded memory.

Each kind has one writer taking its parameters and a file path, returning
the number of data rows. Rows come from the database a chunk at a time
(`yield_per`: a server-side cursor on PostgreSQL) and go straight into a
write-only workbook (`xlsx.py` says how the files look and why they are
fast). This module holds the kinds with personal data (attempts, ranking,
winners); `stat_exports.py` the statistics; `export_kinds.py` the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from quiz.catalog.rounds import get_round
from quiz.extensions import db
from quiz.models import Contest, Disqualification, Entrant, Round, Score
from quiz.reports.winners import published_winners
from quiz.reports.xlsx import (  # noqa: F401  (the shared primitives, re-exported)
    CHUNK,
    DATE,
    DATETIME,
    INDEX,
    NO,
    PERCENT,
    PRIZE_NAMES,
    SECONDS,
    YES,
    ZONE,
    Column,
    Sheet,
    excel_time,
    save_book,
    seconds,
    text,
)
from quiz.scoring.standings import standings_for_contest, standings_for_round
from quiz.units.tree import unit_tree


def _round_facts(round_id: int, what: str) -> list[tuple[str, object]]:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise LookupError(f"round {round_id} does not exist")
    name = f"Vòng {round_.number}" + (f": {round_.title}" if round_.title else "")
    return [("Nội dung", what), ("Cuộc thi", round_.contest.title), ("Vòng", name)]


def _contest_facts(contest_id: int, what: str) -> list[tuple[str, object]]:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise LookupError(f"contest {contest_id} does not exist")
    return [("Nội dung", what), ("Cuộc thi", contest.title)]


# --- shared pieces -------------------------------------------------------------


def _unit_names() -> dict[int, str]:
    """Full names of every unit, ready for a cell (one `text` per unit, not per row)."""
    return {n.id: text(n.full_name) for n in unit_tree().nodes()}


def _disqualified(round_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(Disqualification.entrant_id).where(Disqualification.round_id == round_id)
        )
    )


ENTRANT_COLUMNS = (
    Column("Mã thí sinh", 11),
    Column("Họ và tên", 26),
    Column("Năm sinh", 9),
    Column("Số điện thoại", 13),
    Column("Đơn vị", 45),
)


def _people(ids: list[int]) -> dict[int, tuple]:
    """(name, birth year, phone, unit id, unit typed) of these entrants, by id."""
    found = {}
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(
            select(
                Entrant.id,
                Entrant.full_name,
                Entrant.birth_year,
                Entrant.phone,
                Entrant.unit_id,
                Entrant.unit_other,
            ).where(Entrant.id.in_(ids[start : start + CHUNK]))
        )
        found.update({row[0]: tuple(row[1:]) for row in rows})
    return found


def _entrant_cells(entrant_id: int, person: tuple | None, units: dict[int, str]) -> list:
    if person is None:
        return [entrant_id, None, None, None, None]
    name, birth_year, phone, unit_id, unit_other = person
    unit = units.get(unit_id) if unit_id is not None else None
    return [entrant_id, text(name), birth_year, text(phone), unit or text(unit_other)]


# --- results -------------------------------------------------------------------

ATTEMPT_COLUMNS = (
    Column("Mã lượt thi", 12),
    *ENTRANT_COLUMNS,
    Column("Lượt thi thứ", 8),
    Column("Số câu đúng", 8),
    Column("Tổng số câu", 8),
    Column("Thời gian làm bài (giây)", 12, SECONDS),
    Column("Dự đoán", 11),
    Column(f"Bắt đầu lúc ({ZONE})", 20, DATETIME),
    Column(f"Nộp bài lúc ({ZONE})", 20, DATETIME),
    Column("Tự động nộp khi hết giờ", 11),
    Column("Bị loại", 8),
)


def attempts_query(round_id: int):
    """Scored attempts with their entrant, streamed `CHUNK` rows at a time."""
    return (
        select(
            Score.attempt_id,
            Score.entrant_id,
            Entrant.full_name,
            Entrant.birth_year,
            Entrant.phone,
            Entrant.unit_id,
            Entrant.unit_other,
            Score.seq,
            Score.correct,
            Score.total,
            Score.time_used_ms,
            Score.prediction,
            Score.started_at_ms,
            Score.submitted_at_ms,
            Score.auto_submitted,
        )
        .join(Entrant, Entrant.id == Score.entrant_id)
        .where(Score.round_id == round_id)
        .order_by(Score.entrant_id, Score.seq)
        .execution_options(yield_per=CHUNK)
    )


def attempt_rows(round_id: int) -> Iterator:
    """The rows of `attempts_query`, as Core rows: the same tuples as ORM rows at
    half the cost per row, which is a third of the export's time at a million."""
    return db.session.connection().execute(attempts_query(round_id))


def write_attempts(path: Path | str, round_id: int) -> int:
    """Every scored attempt of a round, entrant by entrant, in attempt order."""
    facts = _round_facts(round_id, "Tất cả lượt thi đã chấm")
    units = _unit_names()
    excluded = _disqualified(round_id)
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Lượt thi", ATTEMPT_COLUMNS)
    append = sheet.append
    for row in attempt_rows(round_id):
        (attempt, entrant, name, born, phone, unit_id, other, seq) = row[:8]
        (correct, total, used, prediction, started, submitted, auto) = row[8:]
        unit = units.get(unit_id) if unit_id is not None else None
        append(
            [
                attempt,
                entrant,
                text(name),
                born,
                text(phone),
                unit or text(other),
                seq,
                correct,
                total,
                seconds(used),
                prediction,
                excel_time(started),
                excel_time(submitted),
                YES if auto else NO,
                YES if entrant in excluded else NO,
            ]
        )
    return save_book(book, path, sheet, facts)


RANKING_COLUMNS = (
    Column("Hạng", 7),
    *ENTRANT_COLUMNS,
    Column("Lượt thi được tính", 9),
    Column("Số câu đúng", 8),
    Column("Tổng số câu", 8),
    Column("Thời gian làm bài (giây)", 12, SECONDS),
    Column("Dự đoán", 11),
    Column("Sai số dự đoán", 11),
    Column(f"Nộp bài lúc ({ZONE})", 20, DATETIME),
)

CONTEST_RANKING_COLUMNS = (
    Column("Hạng", 7),
    *ENTRANT_COLUMNS,
    Column("Số vòng đã thi", 9),
    Column("Tổng số câu đúng", 10),
    Column("Tổng thời gian (giây)", 12, SECONDS),
    Column("Tổng sai số dự đoán", 11),
    Column(f"Nộp bài cuối lúc ({ZONE})", 20, DATETIME),
)


RANKING_NOTE = (
    "Mỗi thí sinh một dòng, theo lượt thi được tính của vòng; "
    "thí sinh bị loại khỏi vòng không được xếp hạng."
)


def _in_chunks(standings: list) -> Iterator[tuple[object, tuple | None]]:
    for start in range(0, len(standings), CHUNK):
        chunk = standings[start : start + CHUNK]
        people = _people([s.entrant_id for s in chunk])
        for standing in chunk:
            yield standing, people.get(standing.entrant_id)


def write_ranking(
    path: Path | str, round_id: int | None = None, contest_id: int | None = None
) -> int:
    """The final ranking: of a round (its counting attempts), or of the whole contest."""
    if round_id is None:
        if contest_id is None:
            raise ValueError("a ranking needs a round or a contest")
        return _write_contest_ranking(path, contest_id)
    facts = _round_facts(round_id, "Xếp hạng chung cuộc của vòng")
    facts.append(("Ghi chú", RANKING_NOTE))
    info = get_round(round_id, fresh=True)
    units = _unit_names()
    reference = info.prediction_value
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Xếp hạng", RANKING_COLUMNS)
    for standing, person in _in_chunks(standings_for_round(info)):
        result = standing.result
        known = reference is not None and result.prediction is not None
        sheet.append(
            [
                standing.rank,
                *_entrant_cells(standing.entrant_id, person, units),
                result.seq,
                result.correct,
                result.total,
                seconds(result.time_used_ms),
                result.prediction,
                standing.parts.error if known else None,
                excel_time(result.submitted_at_ms),
            ]
        )
    return save_book(book, path, sheet, facts)


def _write_contest_ranking(path: Path | str, contest_id: int) -> int:
    facts = _contest_facts(contest_id, "Xếp hạng chung cuộc của cuộc thi (cộng các vòng)")
    facts.append(("Ghi chú", RANKING_NOTE))
    per_round, standings = standings_for_contest(contest_id)
    rounds_played: dict[int, int] = {}
    for by_entrant in per_round.values():
        for entrant_id in by_entrant:
            rounds_played[entrant_id] = rounds_played.get(entrant_id, 0) + 1
    del per_round
    frozen = all(
        get_round(r, fresh=True).prediction_value is not None
        for r in db.session.scalars(select(Round.id).where(Round.contest_id == contest_id))
    )
    units = _unit_names()
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Xếp hạng", CONTEST_RANKING_COLUMNS)
    for standing, person in _in_chunks(standings):
        parts = standing.parts
        sheet.append(
            [
                standing.rank,
                *_entrant_cells(standing.entrant_id, person, units),
                rounds_played.get(standing.entrant_id, 0),
                parts.correct,
                seconds(parts.time_used_ms),
                parts.error if frozen else None,
                excel_time(parts.submitted_at_ms),
            ]
        )
    return save_book(book, path, sheet, facts)


# --- winners -------------------------------------------------------------------

WINNER_COLUMNS = (
    Column("Giải", 18),
    Column("Hạng", 7),
    Column("Mã thí sinh", 11),
    Column("Họ và tên", 26),
    Column("Số CCCD", 15),
    Column("Số điện thoại", 13),
    Column("Đơn vị", 45),
    Column("Số câu đúng", 8),
    Column("Tổng số câu", 8),
    Column("Thời gian làm bài (giây)", 12, SECONDS),
    Column("Dự đoán", 11),
    Column(f"Nộp bài lúc ({ZONE})", 20, DATETIME),
)


def write_winners(path: Path | str, round_id: int) -> int:
    """The winners as published (revoked prizes left out), in prize order."""
    facts = _round_facts(round_id, "Danh sách đoạt giải đã công bố")
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Đoạt giải", WINNER_COLUMNS)
    for w in published_winners(round_id):
        sheet.append(
            [
                PRIZE_NAMES.get(w.prize, text(w.prize)),
                w.rank,
                w.entrant_id,
                text(w.full_name),
                text(w.citizen_id),
                text(w.phone),
                text(w.unit_path),
                w.correct,
                w.total,
                seconds(w.time_used_ms),
                w.prediction,
                excel_time(w.submitted_at_ms),
            ]
        )
    return save_book(book, path, sheet, facts)
