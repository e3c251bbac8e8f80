"""Exports of statistics (no personal data): participation by unit and day, questions."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from quiz.reports import question_stats, statistics
from quiz.reports.exports import _contest_facts, _round_facts
from quiz.reports.xlsx import DATE, INDEX, PERCENT, ZONE, Column, Sheet, save_book, text
from quiz.units.tree import unit_tree

# --- participation and questions -------------------------------------------------

UNIT_COLUMNS = (
    Column("Mã đơn vị", 12),
    Column("Đơn vị", 55),
    Column("Cấp", 6),
    Column("Số thí sinh", 11),
    Column("Số lượt thi", 11),
    Column("Dân số / số thành viên", 13),
    Column("Tỉ lệ tham gia", 11, PERCENT),
)


def write_participation_units(path: Path | str, contest_id: int) -> int:
    """Every unit at every depth, in tree order, each counting its whole subtree."""
    facts = _contest_facts(contest_id, "Tham gia theo đơn vị (mỗi đơn vị gồm cả cấp dưới)")
    nodes = [n for n in unit_tree().nodes() if not n.merged]
    parents = {n.parent_id for n in nodes}
    counts = statistics.unit_counts(contest_id).subtree  # one read of the contest
    found: dict[int, statistics.UnitParticipation] = {}
    for parent_id in [None, *(n.id for n in nodes if n.id in parents)]:
        for row in statistics.unit_rows(counts, parent_id):
            found[row.unit_id] = row
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Theo đơn vị", UNIT_COLUMNS)
    for node in nodes:
        row = found.get(node.id)
        if row is None:
            continue
        sheet.append(
            [
                text(row.code),
                text(row.full_name),
                row.depth + 1,
                row.entrants,
                row.attempts,
                row.population,
                row.rate,
            ]
        )
    return save_book(book, path, sheet, facts)


DAY_COLUMNS = (
    Column("Ngày", 12, DATE),
    Column("Số thí sinh", 11),
    Column("Số lượt thi", 11),
)


def write_participation_days(path: Path | str, contest_id: int) -> int:
    facts = _contest_facts(contest_id, f"Tham gia theo ngày ({ZONE})")
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Theo ngày", DAY_COLUMNS)
    for row in statistics.participation_by_day(contest_id):
        sheet.append([row.day, row.entrants, row.attempts])
    return save_book(book, path, sheet, facts)


QUESTION_COLUMNS = (
    Column("Mã câu hỏi", 12),
    Column("Chủ đề", 22),
    Column("Nội dung câu hỏi", 70),
    Column("Số lần xuất hiện", 11),
    Column("Số lần trả lời đúng", 11),
    Column("Tỉ lệ trả lời đúng", 11, PERCENT),
    Column("Độ phân biệt", 10, INDEX),
)


def write_questions(path: Path | str, round_id: int) -> int:
    facts = _round_facts(round_id, "Thống kê theo câu hỏi (khó nhất trước)")
    book = Workbook(write_only=True)
    sheet = Sheet(book, "Câu hỏi", QUESTION_COLUMNS)
    for q in question_stats.question_stats(round_id):
        sheet.append(
            [
                text(q.code),
                text(q.topic),
                text(q.text),
                q.shown,
                q.correct,
                q.share_correct,
                q.discrimination,
            ]
        )
    return save_book(book, path, sheet, facts)
