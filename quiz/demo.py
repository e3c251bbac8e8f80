"""Demo data for the one-command start: a fictional province, a bank, an open contest,
a finished one with published winners, a few hundred entrants who took both
(`quiz/demo_results.py`), a conference under way with its delegates, and
two surveys (`quiz/demo_surveys.py`).

Every name here is invented for this project (the province "Sơn Lâm" does
not exist); no real person's name, phone or ID appears: the delegates'
phones are in the 0900 000 xxx range, which no subscriber has.
"""

from __future__ import annotations

import io
import random
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from quiz.banks.importer import apply_import, existing_keys
from quiz.banks.reader import read_bank
from quiz.config import ROOT
from quiz.demo_results import already_played, finished_contest, play_demo, seed_people
from quiz.demo_surveys import seed_surveys
from quiz.extensions import db
from quiz.models import (
    Conference,
    Contest,
    CountingRule,
    Delegate,
    PredictionReference,
    QuestionBank,
    Round,
    Unit,
)
from quiz.models.contests import Visibility
from quiz.scoring.ranking import DEFAULT_ORDER
from quiz.timeutil import utcnow

SAMPLE_BANK = ROOT / "question_banks" / "sample_bank.xlsx"
DEMO_SLUG = "tim-hieu-nghi-quyet"

PROVINCE = ("SL", "Sơn Lâm", "Tỉnh")
DISTRICTS = {
    ("SL-TP", "Sơn Lâm", "Thành phố"): [
        "Phường Minh Khai",
        "Phường Nguyễn Trãi",
        "Xã Phương Độ",
    ],
    ("SL-VS", "Vân Sơn", "Huyện"): ["Thị trấn Vân Sơn", "Xã Lũng Táo", "Xã Sà Phìn", "Xã Phố Bảng"],
    ("SL-HL", "Hoàng Lâm", "Huyện"): ["Thị trấn Hoàng Lâm", "Xã Nậm Ty", "Xã Thông Nguyên"],
    ("SL-BM", "Bắc Mê Sơn", "Huyện"): ["Thị trấn Yên Phú", "Xã Minh Ngọc", "Xã Lạc Nông"],
    ("SL-QB", "Quang Bình Lâm", "Huyện"): ["Thị trấn Yên Bình", "Xã Tân Trịnh", "Xã Bằng Lang"],
}
AGENCIES = ["Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"]


def _unit(code: str, name: str, kind: str, parent: Unit | None, order: int) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name=name, kind=kind, sort_order=order)
        db.session.add(unit)
        db.session.flush()
        unit.place_under(parent)
    return unit


def seed_units() -> Unit:
    province = _unit(PROVINCE[0], f"{PROVINCE[2]} {PROVINCE[1]}", PROVINCE[2], None, 0)
    province.population = 900_000
    for d_order, ((code, name, kind), communes) in enumerate(DISTRICTS.items()):
        district = _unit(code, f"{kind} {name}", kind, province, d_order)
        for c_order, commune in enumerate(communes):
            kind_c = commune.split(" ")[0] if not commune.startswith("Thị trấn") else "Thị trấn"
            _unit(f"{code}-{c_order + 1:02d}", commune, kind_c, district, c_order)
    for a_order, agency in enumerate(AGENCIES):
        _unit(f"SL-CQ-{a_order + 1:02d}", agency, "Cơ quan", province, 100 + a_order)
    db.session.flush()
    return province


def seed_bank(owner: Unit, path: Path = SAMPLE_BANK) -> QuestionBank:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == "MAU-2026"))
    if bank is None:
        bank = QuestionBank(code="MAU-2026", title="Ngân hàng câu hỏi mẫu", owner_unit_id=owner.id)
        db.session.add(bank)
        db.session.flush()
    result = read_bank(path.read_bytes(), existing_keys(bank))
    if result.problems:
        raise RuntimeError(f"the sample bank has problems: {result.problems[:3]}")
    apply_import(bank, result.questions)
    return bank


def seed_contest(owner: Unit, bank: QuestionBank) -> Contest:
    now = utcnow().replace(second=0, microsecond=0)
    contest = db.session.scalar(select(Contest).where(Contest.slug == DEMO_SLUG))
    if contest is None:
        contest = Contest(
            slug=DEMO_SLUG,
            title="Cuộc thi trắc nghiệm trực tuyến tìm hiểu Nghị quyết (dữ liệu mẫu)",
            description="Cuộc thi mẫu để dùng thử hệ thống: tỉnh Sơn Lâm và nghị quyết "
            "trong câu hỏi là hư cấu.",
            rules="Mỗi lượt thi gồm 10 câu hỏi rút ngẫu nhiên, làm trong 15 phút, kèm một câu "
            "dự đoán số người trả lời đúng tất cả các câu. Mỗi người được thi tối đa 3 lượt "
            "mỗi tuần; lượt có kết quả cao nhất được tính. Xếp hạng theo số câu đúng, thời gian "
            "làm bài, độ chính xác của dự đoán, rồi thời điểm nộp bài.",
            owner_unit_id=owner.id,
            ranking_order=list(DEFAULT_ORDER),
            is_published=True,
        )
        db.session.add(contest)
        db.session.flush()
    quotas = {"Chuyển đổi số": 3, "An toàn thông tin": 2}
    first = _demo_round(contest, bank, 1, topic_quotas=quotas)
    if first.ends_at is None or first.closed_at is not None or first.ends_at <= now:
        # Re-running the demo keeps a round open right now (since yesterday: the demo
        # entrants of quiz/demo_results.py took it in the past day).
        first.starts_at, first.closed_at = now - timedelta(days=1), None
        first.ends_at = now + timedelta(days=6)
    second = _demo_round(contest, bank, 2)
    second.starts_at, second.ends_at = first.ends_at, first.ends_at + timedelta(days=7)
    db.session.flush()
    return contest


def _demo_round(contest: Contest, bank: QuestionBank, number: int, **extra) -> Round:
    """The demo contest's round `number` ("Tuần N"), added on the first run only."""
    found = db.session.scalar(
        select(Round).where(Round.contest_id == contest.id, Round.number == number)
    )
    if found is not None:
        return found
    round_ = Round(
        contest_id=contest.id,
        number=number,
        title=f"Tuần {number}",
        bank_id=bank.id,
        questions_per_attempt=10,
        time_limit_seconds=15 * 60,
        max_attempts=3,
        counting_rule=CountingRule.BEST,
        show_score=Visibility.IMMEDIATELY,
        show_answers=Visibility.AFTER_CLOSE,
        min_age=12,
        prediction_reference=PredictionReference.FULL_CORRECT_ENTRANTS,
        prediction_prompt="Theo bạn, tuần này có bao nhiêu người trả lời đúng tất cả các câu hỏi?",
        **extra,
    )
    db.session.add(round_)
    return round_


DEMO_ADMIN = "quantri"


def seed_admin(province: Unit, password_file: Path) -> str:
    """A demo administrator whose random password is kept in instance/ (never in the repo)."""
    from quiz.models import Role, Staff

    if not password_file.exists():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(12))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    staff = db.session.scalar(select(Staff).where(Staff.username == DEMO_ADMIN))
    if staff is None:
        staff = Staff(
            username=DEMO_ADMIN,
            full_name="Quản trị (dữ liệu mẫu)",
            role=Role.ADMIN,
            unit_id=province.id,
        )
        db.session.add(staff)
    if not staff.password_hash or not staff.check_password(password):
        staff.set_password(password)
    return password


DEMO_CONFERENCE = "Hội nghị quán triệt Nghị quyết (dữ liệu mẫu)"
DEMO_DELEGATES = 500
DEMO_POINTS = ("Hội trường tỉnh", "Điểm cầu Vân Sơn", "Điểm cầu Hoàng Lâm")


def demo_phone(n: int) -> str:
    """The n-th demo delegate's phone: 0900000000, 0900000001, … (no subscriber's range)."""
    return f"0900{n:06d}"


def _agenda() -> bytes:
    """A small workbook as the conference's document, so attendees have something to open."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Chương trình"
    sheet.append(["Thời gian", "Nội dung"])
    sheet.append(["08:00", "Đón đại biểu, điểm danh"])
    sheet.append(["08:30", "Khai mạc; quán triệt Nghị quyết"])
    sheet.append(["10:30", "Thảo luận tại các điểm cầu"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def seed_conference(owner: Unit) -> Conference:
    """A conference under way (one session, three points, 500 delegates, one document)."""
    from quiz.conferences.delegates import new_delegate
    from quiz.conferences.documents import store
    from quiz.conferences.setup import add_point, create_conference

    now = utcnow().replace(second=0, microsecond=0)
    conference = db.session.scalar(
        select(Conference).where(
            Conference.title == DEMO_CONFERENCE, Conference.owner_unit_id == owner.id
        )
    )
    if conference is None:
        conference = create_conference(
            {
                "title": DEMO_CONFERENCE,
                "venue": "Hội trường tỉnh Sơn Lâm và các điểm cầu",
                "owner_unit_id": owner.id,
                "starts_at": now,
                "ends_at": now + timedelta(days=7),
            },
            None,
        )
        points = [add_point(conference, {"name": name}).id for name in DEMO_POINTS]
        db.session.add_all(
            new_delegate(
                conference.id,
                f"Đại Biểu Mẫu {n + 1:03d}",
                phone=demo_phone(n),
                point_id=points[n % len(points)],
                position="Đại biểu",
            )
            for n in range(DEMO_DELEGATES)
        )
        store(conference.id, "Chương trình hội nghị", "chuong-trinh.xlsx", _agenda(), None)
    if conference.ends_at <= now:
        # Re-running the demo keeps the conference (and its one session) under way.
        conference.starts_at, conference.ends_at = now, now + timedelta(days=7)
        session = conference.sessions[0]
        session.starts_at, session.ends_at = conference.starts_at, conference.ends_at
    db.session.flush()
    return conference


def write_tokens(conference: Conference, tokens_file: Path) -> None:
    """The delegates' personal codes, one a line, for the load test's door scanners.

    They are what the printed invitations carry, so the file is private like
    the demo password (instance/, mode 600, never in the repository).
    """
    from quiz.conferences.delegates import personal_token

    delegates = db.session.scalars(
        select(Delegate).where(Delegate.conference_id == conference.id).order_by(Delegate.id)
    )
    tokens_file.parent.mkdir(parents=True, exist_ok=True)
    tokens_file.touch(mode=0o600)
    tokens_file.chmod(0o600)
    tokens_file.write_text("".join(f"{personal_token(d)}\n" for d in delegates))


def seed_demo(
    password_file: Path | None = None, tokens_file: Path | None = None
) -> tuple[Contest, Conference, str | None]:
    province = seed_units()
    bank = seed_bank(province)
    contest = seed_contest(province, bank)
    password = seed_admin(province, password_file) if password_file else None
    conference = seed_conference(province)
    seed_surveys(province, conference)
    finished = finished_contest(province, bank)
    db.session.commit()
    if not already_played(contest, finished):
        rng = random.Random(2026)
        people = seed_people(rng)
        db.session.commit()  # before the first start: its check of Redis commits on its own
        play_demo(contest, finished, people, rng)
        db.session.commit()
    if tokens_file:
        write_tokens(conference, tokens_file)
    return contest, conference, password
