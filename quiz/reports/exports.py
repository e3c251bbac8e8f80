"""Excel exports, streamed: a million rows in bounded memory.

Each kind has one writer taking its parameters and a file path, returning
the number of data rows. Rows come from the database a chunk at a time
(`yield_per`: a server-side cursor on PostgreSQL) and go straight into a
write-only openpyxl workbook, which keeps nothing but the current row.

What the files look like, for every kind: Vietnamese headers in bold on a
frozen first row, sensible column widths, numbers as numbers, times as real
Excel datetimes in Viet Nam's local time (Excel has no time zones: the
header and the "Thông tin" sheet say which), and every text cell passed
through `neutralise` so a name typed as "=HYPERLINK(...)" stays text.

Speed: openpyxl builds an ElementTree element per cell, about 4,500 rows of
fifteen cells a second here, close to four minutes for a million rows. So
`Sheet` writes the data rows itself, as the same `<row><c>` XML text,
into the worksheet stream openpyxl opened; openpyxl still makes the
workbook, the styles, the widths, the header and the zip (at zlib level 3,
not 6: compressing is the other big cost). Should openpyxl's
internals ever change shape (another version, lxml installed), `Sheet`
falls back to plain `append`: slower, same file. The tests compare both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import isfinite
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy import select

from quiz.banks.workbook import neutralise
from quiz.contest.rounds import get_round
from quiz.extensions import db
from quiz.models import Contest, Disqualification, Entrant, Round, Score
from quiz.reports import statistics
from quiz.reports.winners import published_winners
from quiz.scoring.standings import standings_for_contest, standings_for_round
from quiz.timeutil import LOCAL_TZ, utcnow
from quiz.units.tree import unit_tree

CHUNK = 5000
DATETIME = "dd/mm/yyyy hh:mm:ss"
DATE = "dd/mm/yyyy"
SECONDS = "0.000"
PERCENT = "0.0%"
INDEX = "0.00"
ZONE = "giờ Việt Nam, UTC+7"
YES, NO = "Có", "Không"
PRIZE_NAMES = {
    "first": "Giải Nhất",
    "second": "Giải Nhì",
    "third": "Giải Ba",
    "consolation": "Giải Khuyến khích",
}
MAX_TEXT = 32_767  # Excel's limit for one cell
ZIP_LEVEL = 3


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None


# --- the streaming sheet -------------------------------------------------------


def text(value) -> str | None:
    """A text cell: characters XML cannot carry dropped, formulas neutralised."""
    if value is None:
        return None
    value = str(value)
    if not value.isprintable():  # rare: only then pay for the regular expression
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value[:MAX_TEXT])


# Excel counts days from 1899-12-30 (dates of this century: no 1900 leap-year
# bug), 25,569 days before 1970. Viet Nam has kept UTC+7 without daylight
# saving since 1975, so a local time is integer arithmetic on epoch
# milliseconds, which matters a million rows at a time.
EXCEL_EPOCH = datetime(1899, 12, 30)
DAY = timedelta(days=1)
LOCAL_OFFSET_MS = int(LOCAL_TZ.utcoffset(datetime(2000, 1, 1)).total_seconds() * 1000)
DAY_MS = 86_400_000
SERIAL_SHIFT_MS = 25_569 * DAY_MS + LOCAL_OFFSET_MS


def excel_time(ms: int | None) -> float | None:
    """Epoch milliseconds as Excel's serial of the local time (shown as a date and time
    by a column formatted DATETIME; openpyxl reads it back as a naive datetime)."""
    if ms is None:
        return None
    return (ms + SERIAL_SHIFT_MS) / DAY_MS


def seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Sheet:
    """One worksheet of a write-only workbook: header first, then `append` rows."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column]) -> None:
        self.ws = book.create_sheet(title[:31])
        self.columns = list(columns)
        self.rows = 0
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = "A2"
        self.ws.append([self._header(c.header) for c in self.columns])
        self._formats = [self._format_cell(c.number_format) for c in self.columns]
        self._raw = _RawRows.install(self.ws, self._formats)

    def _header(self, value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.font = Font(name="Calibri", size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def _format_cell(self, number_format: str | None) -> WriteOnlyCell | None:
        if number_format is None:
            return None
        cell = WriteOnlyCell(self.ws)
        cell.number_format = number_format
        return cell

    def append(self, values: Sequence) -> None:
        """Values are None, str (already through `text`), int, float, bool, date or
        datetime; a time may also be an `excel_time` number in a DATETIME column."""
        if self._raw is None:
            values = [self._styled(v, f) for v, f in zip(values, self._formats, strict=True)]
        self.ws.append(values)
        self.rows += 1

    def _styled(self, value, template: WriteOnlyCell | None):
        if template is None or value is None:
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = template.number_format
        return cell


class _RawRows:
    """Data rows written as XML text into openpyxl's own worksheet stream.

    Installed after the header row, it replaces, for this worksheet only,
    the two steps openpyxl's row generator runs per row: turning values into
    cells and serialising them. The XML is what openpyxl writes for the same
    values (inline strings, numbers, booleans; dates as serials with a style).
    """

    def __init__(self, styles: list[int | None]) -> None:
        # Per column, the constant pieces around the row number and the value.
        self.heads = [f'<c r="{get_column_letter(i)}' for i in range(1, len(styles) + 1)]
        ends = ['"' + (f' s="{s}"' if s else "") for s in styles]
        self.numbers = [f"{end}><v>" for end in ends]  # t="n" is the default
        self.texts = [f'{end} t="inlineStr"><is><t' for end in ends]
        self.booleans = [f'{end} t="b"><v>' for end in ends]
        self.write: Callable[[str], object] | None = None

    @classmethod
    def install(cls, ws, formats: list[WriteOnlyCell | None]) -> _RawRows | None:
        from openpyxl.xml.functions import xmlfile

        writer = getattr(ws, "_writer", None)
        if (
            not xmlfile.__module__.startswith("et_xmlfile")
            or writer is None
            or not callable(getattr(writer, "write_row", None))
            or not callable(getattr(ws, "_values_to_row", None))
        ):
            return None
        raw = cls([f.style_id if f is not None else None for f in formats])
        ws._values_to_row = lambda values, row_idx: values
        writer.write_row = raw.write_row
        return raw

    def write_row(self, xf, values, row_idx: int) -> None:
        if self.write is None:
            self.write = xf._file  # the text writer of et_xmlfile (checked by `install`)
        r = str(row_idx)
        parts = ['<row r="', r, '">']
        add = parts.extend
        for head, number, texts, boolean, value in zip(
            self.heads, self.numbers, self.texts, self.booleans, values, strict=True
        ):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if value[:1].isspace() or value[-1:].isspace():
                    add((head, r, texts, ' xml:space="preserve">', _escape(value), "</t></is></c>"))
                else:
                    add((head, r, texts, ">", _escape(value), "</t></is></c>"))
            elif kind is int or (kind is float and isfinite(value)):
                add((head, r, number, repr(value), "</v></c>"))
            elif kind is datetime:
                add((head, r, number, repr((value - EXCEL_EPOCH) / DAY), "</v></c>"))
            elif kind is date:
                add((head, r, number, str((value - EXCEL_EPOCH.date()).days), "</v></c>"))
            elif kind is bool:
                add((head, r, boolean, "1" if value else "0", "</v></c>"))
            elif kind is not float:  # NaN and infinities: left empty, as Excel has none
                raise TypeError(f"cannot export a {kind.__name__} cell")
        parts.append("</row>")
        self.write("".join(parts))


def _about(book: Workbook, facts: Iterable[tuple[str, object]]) -> None:
    """A second sheet saying what the file holds and in which time zone."""
    sheet = Sheet(book, "Thông tin", [Column("Mục", 28), Column("Giá trị", 60)])
    for label, value in facts:
        sheet.append([label, text(value) if isinstance(value, str) else value])


def _save(book: Workbook, path: Path | str, sheet: Sheet, facts: list[tuple[str, object]]) -> int:
    facts = [
        *facts,
        (f"Xuất lúc ({ZONE})", f"{utcnow().astimezone(LOCAL_TZ):%d/%m/%Y %H:%M:%S}"),
        ("Múi giờ của mọi thời điểm", f"Asia/Ho_Chi_Minh ({ZONE})"),
        ("Số dòng dữ liệu", sheet.rows),
    ]
    _about(book, facts)
    # openpyxl's `save_workbook`, at a faster zlib level than its default 6:
    # half the time spent compressing a big sheet, for a file about 15% larger.
    book.properties.modified = utcnow().replace(tzinfo=None)
    with ZipFile(str(path), "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL) as zf:
        ExcelWriter(book, zf).save()
    return sheet.rows


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
                used / 1000,
                prediction,
                excel_time(started),
                excel_time(submitted),
                YES if auto else NO,
                YES if entrant in excluded else NO,
            ]
        )
    return _save(book, path, sheet, facts)


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
    return _save(book, path, sheet, facts)


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
    return _save(book, path, sheet, facts)


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
    return _save(book, path, sheet, facts)


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
    found: dict[int, statistics.UnitParticipation] = {}
    for parent_id in [None, *(n.id for n in nodes if n.id in parents)]:
        for row in statistics.participation_by_unit(contest_id, parent_id):
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
    return _save(book, path, sheet, facts)


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
    return _save(book, path, sheet, facts)


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
    for q in statistics.question_stats(round_id):
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
    return _save(book, path, sheet, facts)


# --- the kinds -----------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    writer: Callable[..., int]
    personal_data: bool
    params: tuple[str, ...]  # which of round_id / contest_id it accepts
    file_label: str  # the start of the downloaded file's name


KINDS: dict[str, Kind] = {
    "attempts": Kind(write_attempts, True, ("round_id",), "Các lượt thi"),
    "ranking": Kind(write_ranking, True, ("round_id", "contest_id"), "Xếp hạng"),
    "winners": Kind(write_winners, True, ("round_id",), "Danh sách đoạt giải"),
    "participation_units": Kind(
        write_participation_units, False, ("contest_id",), "Tham gia theo đơn vị"
    ),
    "participation_days": Kind(
        write_participation_days, False, ("contest_id",), "Tham gia theo ngày"
    ),
    "questions": Kind(write_questions, False, ("round_id",), "Thống kê câu hỏi"),
}
PERSONAL_KINDS = frozenset(k for k, spec in KINDS.items() if spec.personal_data)


def write_export(kind: str, params: dict, path: Path | str) -> int:
    """Write an export of `kind` for `params` ({"round_id": n} or {"contest_id": n})."""
    spec = KINDS[kind]
    given = {k: int(v) for k, v in params.items() if k in spec.params and v is not None}
    if not given:
        raise ValueError(f"export {kind!r} needs one of {', '.join(spec.params)}")
    return spec.writer(path, **given)
