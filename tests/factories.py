"""Building blocks for tests: units, banks, contests and entrants in the database.

Every name and number here is invented; phones use the 0900 000 xxx range.
"""

from __future__ import annotations

from datetime import timedelta

from quiz.extensions import db
from quiz.models import Contest, CountingRule, Entrant, Question, QuestionBank, Round, Unit
from quiz.models.contests import Visibility
from quiz.scoring.ranking import DEFAULT_ORDER
from quiz.text import text_key
from quiz.timeutil import utcnow


def make_units() -> dict[str, Unit]:
    """A province, two districts, two communes each; plus one agency."""
    units: dict[str, Unit] = {}

    def add(code: str, name: str, parent: Unit | None) -> Unit:
        unit = Unit(code=code, name=name, kind=name.split()[0])
        db.session.add(unit)
        db.session.flush()
        unit.place_under(parent)
        units[code] = unit
        return unit

    province = add("P", "Tỉnh Thử Nghiệm", None)
    for d in ("D1", "D2"):
        district = add(d, f"Huyện {d}", province)
        for c in ("1", "2"):
            add(f"{d}-C{c}", f"Xã {d}-{c}", district)
    add("AG", "Công an tỉnh", province)
    db.session.commit()
    return units


def make_bank(
    topics: dict[str, int] | None = None, choices: int = 4, code: str = "B1", multi_every: int = 0
) -> QuestionBank:
    """A bank with `topics[t]` questions per topic; correct answer is the first option.

    With multi_every=k, every k-th question has two correct options (A and C).
    """
    topics = topics or {"Chủ đề A": 10, "Chủ đề B": 10}
    bank = QuestionBank(code=code, title=f"Ngân hàng {code}", revision=1)
    db.session.add(bank)
    db.session.flush()
    n = 0
    for topic, count in topics.items():
        for _ in range(count):
            n += 1
            text = f"Câu hỏi số {n} thuộc {topic}?"
            correct = [0, 2] if multi_every and n % multi_every == 0 and choices >= 3 else [0]
            db.session.add(
                Question(
                    bank_id=bank.id,
                    code=f"{code}-{n:03d}",
                    topic=topic,
                    difficulty=2,
                    text=text,
                    choices=[f"Đáp án {k} của câu {n}" for k in range(choices)],
                    correct=correct,
                    explanation=f"Giải thích câu {n}",
                    text_key=text_key(text),
                )
            )
    db.session.commit()
    return bank


def make_contest(
    bank: QuestionBank,
    owner: Unit | None = None,
    order=DEFAULT_ORDER,
    slug: str = "thu",
    rounds: int = 1,
    **settings,
) -> Contest:
    """A published contest whose round 1 is open now (others follow weekly)."""
    contest = Contest(
        slug=slug,
        title="Cuộc thi thử",
        description="Mô tả",
        rules="Thể lệ",
        owner_unit_id=owner.id if owner else None,
        ranking_order=list(order),
        is_published=True,
    )
    db.session.add(contest)
    db.session.flush()
    start = utcnow() - timedelta(hours=1)
    for number in range(1, rounds + 1):
        values = {
            "questions_per_attempt": 5,
            "time_limit_seconds": 600,
            "max_attempts": 3,
            "counting_rule": CountingRule.BEST,
            "show_score": Visibility.IMMEDIATELY,
            "show_answers": Visibility.IMMEDIATELY,
            "topic_quotas": {},
        }
        values.update(settings)
        db.session.add(
            Round(
                contest_id=contest.id,
                number=number,
                title=f"Vòng {number}",
                bank_id=bank.id,
                starts_at=start + timedelta(days=7 * (number - 1)),
                ends_at=start + timedelta(days=7 * number),
                **values,
            )
        )
    db.session.commit()
    return contest


def make_entrant(n: int, unit: Unit | None = None, birth_year: int = 1990) -> Entrant:
    entrant = Entrant(
        phone=f"0900{n:06d}",
        full_name=f"Người Thử {n}",
        birth_year=birth_year,
        gender="female",
        unit_id=unit.id if unit else None,
        occupation="other",
    )
    db.session.add(entrant)
    db.session.commit()
    return entrant
