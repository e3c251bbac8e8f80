"""Excel exports on known data: every file is opened again and read cell by cell.

Scores are written as rows directly (what the scorer stores), so each
expected value can be worked out by hand; times are chosen around local
midnight to show that files carry Viet Nam time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from quiz.extensions import DEFAULT_QUEUE, db, get_queue, get_redis
from quiz.models import Disqualification, ExportFile, Question, Unit, Winner
from quiz.models.attempts import Attempt, Score
from quiz.reports import (
    export_jobs,
    export_kinds,
    exports,
    question_stats,
    stat_exports,
    statistics,
    xlsx,
)
from quiz.reports.export_kinds import KINDS, Kind
from quiz.reports.xlsx import Column, Sheet
from quiz.timeutil import to_ms
from tests.factories import make_bank, make_contest, make_entrant, make_units


def at(text: str) -> int:
    """Epoch ms of a UTC time written as 2025-03-10T16:59:30.250."""
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=UTC))


def add_score(round_id, entrant, qids, marks, submitted_ms, seq=1, used_ms=60_000, **extra):
    attempt_id = (db.session.scalar(select(func.max(Attempt.id))) or 0) + 1
    started = submitted_ms - used_ms
    db.session.add(
        Attempt(
            id=attempt_id,
            round_id=round_id,
            entrant_id=entrant.id,
            seq=seq,
            paper=[[q, "0123"] for q in qids],
            started_at_ms=started,
            deadline_ms=started + 600_000,
        )
    )
    db.session.flush()
    db.session.add(
        Score(
            attempt_id=attempt_id,
            round_id=round_id,
            entrant_id=entrant.id,
            seq=seq,
            correct=marks.count("1"),
            total=len(marks),
            time_used_ms=used_ms,
            started_at_ms=started,
            submitted_at_ms=submitted_ms,
            answers=[[0] if m == "1" else [1] for m in marks],
            marks=marks,
            **extra,
        )
    )
    db.session.flush()
    return attempt_id


@dataclass
class Data:
    units: dict[str, Unit]
    contest_id: int
    round_id: int
    entrants: dict[int, int]  # n → entrant id


@pytest.fixture
def data(ctx) -> Data:
    """One contest of D1, four entrants:

    e1 "=HYPERLINK(...)" in D1-C1, two attempts (the second auto-submitted);
    e2 in D1-C2 with a citizen ID; e3 outside the tree ("Thôn Đông"); e4 in
    D2-C1, disqualified.
    """
    units = make_units()
    units["P"].population = 1000
    bank = make_bank()
    first = db.session.scalar(select(Question).order_by(Question.id))
    first.text = "-1 có phải là số âm không?"  # a spreadsheet would compute it
    contest = make_contest(bank, owner=units["D1"], slug="xuat")
    round_id = contest.rounds[0].id
    e = {n: make_entrant(n) for n in range(1, 5)}
    e[1].full_name = '=HYPERLINK("http://example.invalid","Bấm vào")'
    e[1].unit_id = units["D1-C1"].id
    e[2].unit_id = units["D1-C2"].id
    e[2].citizen_id = "001190000002"
    e[3].unit_other = "Thôn Đông"
    e[4].unit_id = units["D2-C1"].id
    q = list(db.session.scalars(select(Question.id).order_by(Question.id)))[:5]
    add_score(round_id, e[1], q, "11100", at("2025-03-10T16:59:30.250"), used_ms=45_125)
    add_score(
        round_id,
        e[1],
        q,
        "11111",
        at("2025-03-10T17:00:05.000"),
        seq=2,
        used_ms=600_000,
        auto_submitted=True,
        prediction=42,
    )
    add_score(round_id, e[2], q, "11110", at("2025-03-11T03:00:00.999"), used_ms=30_000)
    add_score(round_id, e[3], q, "10000", at("2025-03-11T04:00:00.000"))
    add_score(round_id, e[4], q, "11111", at("2025-03-11T05:00:00.000"), used_ms=10_000)
    db.session.add(Disqualification(round_id=round_id, entrant_id=e[4].id, reason="thử"))
    db.session.commit()
    return Data(units, contest.id, round_id, {n: x.id for n, x in e.items()})


def read(path: Path, sheet: int = 0):
    """The rows of a sheet as values, and the worksheet (for formats and styles)."""
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)], ws


def local(text: str) -> datetime:
    """A naive local time written as 2025-03-10T23:59:30.250."""
    return datetime.fromisoformat(text)


def column(rows, header: str) -> list:
    index = rows[0].index(header)
    return [r[index] for r in rows[1:]]


def test_attempts_carry_every_scored_attempt_with_local_times_and_real_numbers(data, tmp_path):
    path = tmp_path / "a.xlsx"
    assert exports.write_attempts(path, data.round_id) == 5
    rows, ws = read(path)
    assert rows[0] == [c.header for c in exports.ATTEMPT_COLUMNS]
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    e1 = data.entrants[1]
    assert first == {
        "Mã lượt thi": first["Mã lượt thi"],
        "Mã thí sinh": e1,
        "Họ và tên": '\'=HYPERLINK("http://example.invalid","Bấm vào")',
        "Năm sinh": 1990,
        "Số điện thoại": "0900000001",
        "Đơn vị": "Xã D1-1, Huyện D1, Tỉnh Thử Nghiệm",
        "Lượt thi thứ": 1,
        "Số câu đúng": 3,
        "Tổng số câu": 5,
        "Thời gian làm bài (giây)": 45.125,
        "Dự đoán": None,
        "Bắt đầu lúc (giờ Việt Nam, UTC+7)": local("2025-03-10T23:58:45.125"),
        "Nộp bài lúc (giờ Việt Nam, UTC+7)": local("2025-03-10T23:59:30.250"),
        "Tự động nộp khi hết giờ": "Không",
        "Bị loại": "Không",
    }
    # Entrant by entrant, attempts in order; the flags say what happened.
    assert column(rows, "Mã thí sinh") == [e1, e1, *(data.entrants[n] for n in (2, 3, 4))]
    assert column(rows, "Lượt thi thứ") == [1, 2, 1, 1, 1]
    assert column(rows, "Tự động nộp khi hết giờ") == ["Không", "Có", "Không", "Không", "Không"]
    assert column(rows, "Bị loại") == ["Không", "Không", "Không", "Không", "Có"]
    assert column(rows, "Dự đoán") == [None, 42, None, None, None]
    assert column(rows, "Đơn vị")[3] == "Thôn Đông"
    submitted = column(rows, "Nộp bài lúc (giờ Việt Nam, UTC+7)")
    assert submitted[1] == local("2025-03-11T00:00:05")  # after local midnight: the next day
    assert submitted[2] == local("2025-03-11T10:00:00.999")
    for value in column(rows, "Mã lượt thi") + column(rows, "Số câu đúng"):
        assert type(value) is int
    assert all(isinstance(v, float) for v in column(rows, "Thời gian làm bài (giây)"))
    assert all(type(v) is datetime for v in submitted)
    # Formats and looks: dates shown as dates, a bold frozen header, set widths.
    assert ws["L2"].number_format == exports.DATETIME
    assert ws["J2"].number_format == exports.SECONDS
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["F"].width == 45
    about, _ = read(path, sheet=1)
    facts = {r[0]: r[1] for r in about[1:]}
    assert facts["Số dòng dữ liệu"] == 5
    assert facts["Vòng"] == "Vòng 1: Vòng 1"
    assert "Asia/Ho_Chi_Minh" in facts["Múi giờ của mọi thời điểm"]


def test_the_ranking_of_a_round_has_one_row_per_entrant_with_its_rank(data, tmp_path):
    path = tmp_path / "r.xlsx"
    assert exports.write_ranking(path, round_id=data.round_id) == 3
    rows, _ = read(path)
    assert rows[0] == [c.header for c in exports.RANKING_COLUMNS]
    e = data.entrants
    # e4 is disqualified: not ranked. e1's second attempt counts (best: 5 right).
    assert column(rows, "Hạng") == [1, 2, 3]
    assert column(rows, "Mã thí sinh") == [e[1], e[2], e[3]]
    assert column(rows, "Lượt thi được tính") == [2, 1, 1]
    assert column(rows, "Số câu đúng") == [5, 4, 1]
    assert column(rows, "Thời gian làm bài (giây)") == [600.0, 30.0, 60.0]
    assert column(rows, "Dự đoán") == [42, None, None]
    assert column(rows, "Sai số dự đoán") == [None] * 3  # no reference frozen yet
    assert column(rows, "Họ và tên")[0].startswith("'=")
    assert column(rows, "Nộp bài lúc (giờ Việt Nam, UTC+7)")[0] == local("2025-03-11T00:00:05")


def test_the_prediction_error_shows_once_the_reference_is_frozen(data, tmp_path):
    from quiz.models import Round

    db.session.get(Round, data.round_id).prediction_value = 40
    db.session.commit()
    exports.write_ranking(tmp_path / "r.xlsx", round_id=data.round_id)
    rows, _ = read(tmp_path / "r.xlsx")
    assert column(rows, "Sai số dự đoán") == [2, None, None]


def test_the_contest_ranking_adds_up_the_rounds(data, tmp_path):
    path = tmp_path / "c.xlsx"
    assert export_kinds.write_export("ranking", {"contest_id": data.contest_id}, path) == 3
    rows, _ = read(path)
    assert rows[0] == [c.header for c in exports.CONTEST_RANKING_COLUMNS]
    assert column(rows, "Hạng") == [1, 2, 3]
    assert column(rows, "Mã thí sinh") == [data.entrants[n] for n in (1, 2, 3)]
    assert column(rows, "Số vòng đã thi") == [1, 1, 1]
    assert column(rows, "Tổng số câu đúng") == [5, 4, 1]
    assert column(rows, "Tổng thời gian (giây)") == [600.0, 30.0, 60.0]


def test_winners_are_listed_with_prize_names_in_vietnamese(data, tmp_path):
    e = data.entrants
    for entrant, prize, rank in ((e[2], "second", 2), (e[1], "first", 1), (e[3], "consolation", 3)):
        db.session.add(Winner(round_id=data.round_id, entrant_id=entrant, prize=prize, rank=rank))
    db.session.add(
        Winner(
            round_id=data.round_id,
            entrant_id=e[4],
            prize="third",
            rank=4,
            revoked_at=datetime.now(UTC),
            revoke_reason="thử",
        )
    )
    db.session.commit()
    path = tmp_path / "w.xlsx"
    assert exports.write_winners(path, data.round_id) == 3
    rows, _ = read(path)
    assert rows[0] == [c.header for c in exports.WINNER_COLUMNS]
    assert column(rows, "Giải") == ["Giải Nhất", "Giải Nhì", "Giải Khuyến khích"]
    assert column(rows, "Hạng") == [1, 2, 3]
    assert column(rows, "Số CCCD") == [None, "001190000002", None]
    assert column(rows, "Số điện thoại")[1] == "0900000002"
    assert column(rows, "Đơn vị") == [
        "Xã D1-1, Huyện D1, Tỉnh Thử Nghiệm",
        "Xã D1-2, Huyện D1, Tỉnh Thử Nghiệm",
        "Thôn Đông",
    ]
    assert column(rows, "Nộp bài lúc (giờ Việt Nam, UTC+7)")[1] == local("2025-03-11T10:00:00.999")


def test_participation_by_unit_lists_every_unit_at_every_depth(data, tmp_path):
    path = tmp_path / "u.xlsx"
    count = stat_exports.write_participation_units(path, data.contest_id)
    rows, ws = read(path)
    # Tree order (parents first, siblings by name), every depth.
    codes = [r[0] for r in rows[1:]]
    assert codes == ["P", "AG", "D1", "D1-C1", "D1-C2", "D2", "D2-C1", "D2-C2"]
    assert count == 8
    by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    # Whatever the statistics say, per unit, is what the file says.
    expected = {}
    for parent in (None, data.units["P"].id, data.units["D1"].id, data.units["D2"].id):
        for row in statistics.participation_by_unit(data.contest_id, parent):
            expected[row.code] = row
    assert set(by_code) == set(expected)
    for code, row in expected.items():
        cells = by_code[code]
        assert cells["Đơn vị"] == row.full_name
        assert cells["Cấp"] == row.depth + 1
        assert (cells["Số thí sinh"], cells["Số lượt thi"]) == (row.entrants, row.attempts)
        assert cells["Dân số / số thành viên"] == row.population
        assert cells["Tỉ lệ tham gia"] == row.rate
    province = by_code["P"]
    assert province["Đơn vị"] == "Tỉnh Thử Nghiệm"
    assert by_code["D1-C2"]["Đơn vị"] == "Xã D1-2, Huyện D1, Tỉnh Thử Nghiệm"
    # e1 and e2 (e3 typed a unit of their own, e4 is disqualified from the only round).
    assert (province["Số thí sinh"], province["Số lượt thi"]) == (2, 3)
    assert type(province["Số thí sinh"]) is int
    assert province["Tỉ lệ tham gia"] == pytest.approx(0.002)
    assert ws.cell(row=2, column=7).number_format == exports.PERCENT


def test_participation_by_day_has_real_dates(data, tmp_path):
    path = tmp_path / "d.xlsx"
    expected = statistics.participation_by_day(data.contest_id)
    assert stat_exports.write_participation_days(path, data.contest_id) == len(expected)
    rows, ws = read(path)
    assert rows[0] == ["Ngày", "Số thí sinh", "Số lượt thi"]
    assert [(r[0].date(), r[1], r[2]) for r in rows[1:]] == [
        (d.day, d.entrants, d.attempts) for d in expected
    ]
    assert rows[1][0] == datetime(2025, 3, 10)  # e1 at 23:59 local, not the UTC 16:59
    assert ws["A2"].number_format == exports.DATE


def test_question_statistics_are_numbers_and_texts_are_neutralised(data, tmp_path):
    path = tmp_path / "q.xlsx"
    expected = question_stats.question_stats(data.round_id)
    assert stat_exports.write_questions(path, data.round_id) == len(expected) == 5
    rows, ws = read(path)
    assert rows[0] == [c.header for c in stat_exports.QUESTION_COLUMNS]
    for cells, stat in zip(rows[1:], expected, strict=True):
        assert cells[0] == stat.code and cells[1] == stat.topic
        assert cells[3:6] == [stat.shown, stat.correct, stat.share_correct]
        assert type(cells[3]) is int and isinstance(cells[5], float)
        assert cells[6] == stat.discrimination
    texts = column(rows, "Nội dung câu hỏi")
    assert "'-1 có phải là số âm không?" in texts
    assert ws["F2"].number_format == exports.PERCENT


def test_statistics_kinds_with_small_fakes(ctx, tmp_path, monkeypatch):
    """The two contest kinds on hand-made figures: rates, missing populations, no rows."""
    units = make_units()
    contest = make_contest(make_bank(), owner=units["P"])
    fake = statistics.UnitParticipation
    monkeypatch.setattr(
        statistics,
        "unit_rows",
        lambda counts, parent_unit_id, unit_ids=None: (
            [fake(units["P"].id, "P", "Tỉnh", "=Tỉnh", 0, 3, 7, 12, 0.25)]
            if parent_unit_id is None
            else []
        ),
    )
    path = tmp_path / "u.xlsx"
    assert stat_exports.write_participation_units(path, contest.id) == 1
    rows, _ = read(path)
    assert rows[1] == ["P", "'=Tỉnh", 1, 3, 7, 12, 0.25]
    monkeypatch.setattr(statistics, "participation_by_day", lambda contest_id, unit_ids=None: [])
    assert stat_exports.write_participation_days(tmp_path / "d.xlsx", contest.id) == 0
    rows, _ = read(tmp_path / "d.xlsx")
    assert rows == [["Ngày", "Số thí sinh", "Số lượt thi"]]


def test_the_fast_row_writer_writes_what_openpyxl_itself_writes(ctx, tmp_path, monkeypatch):
    columns = [
        Column("Chữ", 10),
        Column("Số", 10),
        Column("Thời điểm", 10, exports.DATETIME),
        Column("Ngày", 10, exports.DATE),
        Column("Tỉ lệ", 10, exports.PERCENT),
        Column("Đúng/sai", 10),
    ]
    rows = [
        [
            " khoảng trắng ",
            0,
            datetime(2025, 3, 10, 23, 59, 30, 250_000),
            date(2025, 3, 11),
            0.5,
            True,
        ],
        ['<b>&amp;</b> "x"', -7, datetime(2025, 1, 1), date(2000, 2, 29), 1 / 3, False],
        [exports.text("=1+1\x07"), 2**40, None, None, None, None],
        [None, 3.25, datetime(2025, 12, 31, 23, 59, 59, 999_000), None, 0.0, None],
        ["serial", 1, exports.excel_time(at("2025-03-10T16:59:30.250")), None, None, None],
    ]

    def write(path: Path) -> None:
        book = openpyxl.Workbook(write_only=True)
        sheet = Sheet(book, "Thử", columns)
        for row in rows:
            sheet.append(row)
        book.save(str(path))

    write(tmp_path / "fast.xlsx")
    monkeypatch.setattr(xlsx._RawRows, "install", classmethod(lambda cls, ws, formats: None))
    write(tmp_path / "plain.xlsx")
    fast_rows, fast = read(tmp_path / "fast.xlsx")
    plain_rows, plain = read(tmp_path / "plain.xlsx")
    assert fast_rows == plain_rows
    assert fast_rows[3][0] == "'=1+1"  # neutralised, the bell character dropped
    assert fast_rows[1][0] == " khoảng trắng "
    assert fast_rows[5][2] == datetime(2025, 3, 10, 23, 59, 30, 250_000)  # a serial, local time
    for r in range(2, len(rows) + 2):
        for c in range(1, len(columns) + 1):
            assert fast.cell(r, c).number_format == plain.cell(r, c).number_format


def test_numbers_that_excel_cannot_hold_are_left_empty(ctx, tmp_path):
    book = openpyxl.Workbook(write_only=True)
    sheet = Sheet(book, "Thử", [Column("Số", 10)])
    sheet.append([math.nan])
    sheet.append([1.5])
    book.save(str(tmp_path / "n.xlsx"))
    rows, _ = read(tmp_path / "n.xlsx")
    assert rows == [["Số"], [None], [1.5]]


# --- the job -------------------------------------------------------------------


@pytest.fixture
def instance(ctx, tmp_path):
    ctx.instance_path = str(tmp_path)
    return tmp_path


def test_a_real_worker_makes_the_file_and_records_it(data, instance):
    export = export_jobs.request_export("attempts", {"round_id": data.round_id}, None, None)
    assert export.personal_data and export.status == "queued"
    queue = get_queue(DEFAULT_QUEUE)
    assert queue.count == 1
    assert SimpleWorker([queue], connection=get_redis()).work(burst=True)
    db.session.expire_all()
    export = db.session.get(ExportFile, export.id)
    assert (export.status, export.rows, export.error) == ("ready", 5, "")
    assert export.filename == f"{export.id}-attempts.xlsx"
    assert export.finished_at is not None
    path = instance / "exports" / export.filename
    assert export_jobs.export_path(export) == path
    rows, _ = read(path)
    assert len(rows) == 6
    assert not list((instance / "exports").glob("*.part"))
    # Running the same job again does nothing: the file is made once.
    assert export_jobs.make_export(export.id) is None


def test_kinds_without_personal_data_are_marked_so(data, instance):
    for kind, spec in KINDS.items():
        params = {"round_id": data.round_id} if "round_id" in spec.params else {}
        params = params or {"contest_id": data.contest_id}
        export = export_jobs.create_export(kind, params, None, data.units["D1"].id)
        # A survey's responses, one row each with unit, age band, gender and occupation,
        # are personal data even for an anonymous survey (they get round its minimum group).
        survey_rows = {"survey_responses", "survey_csv", "survey_people"}
        personal = {"attempts", "ranking", "winners"} | survey_rows
        assert export.personal_data is (kind in personal)
    db.session.rollback()


def test_a_failing_export_is_marked_failed_with_the_error(data, instance, monkeypatch):
    def boom(path, round_id):
        Path(path).write_bytes(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setitem(KINDS, "attempts", Kind(boom, True, ("round_id",), "x"))
    export = export_jobs.create_export("attempts", {"round_id": data.round_id}, None, None)
    db.session.commit()
    assert export_jobs.make_export(export.id) is None
    db.session.expire_all()
    export = db.session.get(ExportFile, export.id)
    assert export.status == "failed" and "disk full" in export.error
    assert export.finished_at is not None
    assert export_jobs.export_path(export) is None
    assert not list((instance / "exports").iterdir())  # the partial file is gone


def test_an_export_of_a_missing_round_fails_instead_of_running_forever(ctx, instance):
    export = export_jobs.create_export("questions", {"round_id": 987_654}, None, None)
    db.session.commit()
    export_jobs.make_export(export.id)
    db.session.expire_all()
    export = db.session.get(ExportFile, export.id)
    assert export.status == "failed" and "987654" in export.error


def test_a_worker_killed_mid_job_or_a_lost_job_ends_failed(ctx, instance):
    running = export_jobs.create_export("questions", {"round_id": 1}, None, None)
    running.status = "running"
    old = export_jobs.create_export("questions", {"round_id": 1}, None, None)
    old.created_at = datetime.now(UTC) - timedelta(seconds=export_jobs.STALE_SECONDS + 60)
    fresh = export_jobs.create_export("questions", {"round_id": 1}, None, None)
    db.session.commit()

    class Job:  # what RQ hands the failure callback
        args = (running.id,)

    export_jobs.export_job_failed(Job(), None, MemoryError, MemoryError(), None)
    assert export_jobs.fail_abandoned() == 1
    db.session.commit()
    db.session.expire_all()
    statuses = {e.id: e.status for e in db.session.scalars(select(ExportFile))}
    assert statuses == {running.id: "failed", old.id: "failed", fresh.id: "queued"}
    assert "MemoryError" in db.session.get(ExportFile, running.id).error
