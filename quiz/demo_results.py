"""Demo entrants with scored attempts, so the product's first look is not empty.

A few hundred invented people (common Vietnamese family, middle and given
names drawn at random; phones 0900 001 000 to 0900 001 299, a range no
subscriber has) register through the identity rule, start attempts through
the start script and submit through the submission buffer, at times spread
over the past day, and the scoring job scores them, as with real entrants:
the open demo round's leaderboard, statistics and review list fill up (a few
entrants share a device, a few answer faster than anyone reads). A second
demo contest, whose only round ended yesterday, is played the same way,
closed, and its winners published, so the public results page and the
certificates have something to show.

Seeded once (`quiz/demo.py`): when the demo rounds have attempts, nothing is added.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from quiz.catalog.questions import question_cache
from quiz.catalog.rounds import RoundInfo, clear_caches, get_round
from quiz.contest.attempts import Busy, engine
from quiz.contest.identity_rule import find_by_phone, register_new
from quiz.contest.starting import start_attempt
from quiz.extensions import db
from quiz.models import (
    Attempt,
    Contest,
    CountingRule,
    PredictionReference,
    QuestionBank,
    Round,
    Unit,
)
from quiz.models.contests import Visibility
from quiz.models.entrants import Gender, Occupation
from quiz.reports.winners import publish_winners
from quiz.scoring.jobs import close_round, drain_submissions
from quiz.scoring.persistence import load_attempt
from quiz.scoring.ranking import DEFAULT_ORDER
from quiz.timeutil import now_ms, utcnow

ENTRANTS = 300
FINISHED_SLUG = "tim-hieu-phap-luat"
SHARED_DEVICE = "demo0shared0device"  # five entrants or more on one device: flagged
COMMUNE_KINDS = ("Xã", "Phường", "Thị trấn")

FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
MIDDLE = {
    Gender.MALE: "Văn Đức Minh Quốc Hữu Thành Công Xuân".split(),
    Gender.FEMALE: "Thị Ngọc Thu Thanh Minh Hồng Kim Bích".split(),
}
GIVEN = {
    Gender.MALE: "An Bình Cường Dũng Hải Hùng Khánh Long Nam Phong Quân Sơn Tuấn Việt".split(),
    Gender.FEMALE: "Anh Chi Dung Hà Hạnh Hoa Hương Lan Linh Mai Nga Phương Thảo Trang".split(),
}


def demo_entrant_phone(n: int) -> str:
    return f"0900{1000 + n:06d}"


@dataclass(frozen=True)
class Person:
    entrant_id: int
    birth_year: int
    skill: float  # chance of answering a question right
    device: str


def seed_people(rng: random.Random, count: int = ENTRANTS) -> list[Person]:
    """The demo entrants (registered if new), each with a skill and a device."""
    communes = list(db.session.scalars(select(Unit.id).where(Unit.kind.in_(COMMUNE_KINDS))))
    people = []
    for n in range(count):
        gender = Gender.FEMALE if rng.random() < 0.5 else Gender.MALE
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
        birth_year = rng.randint(1960, 2008)
        entrant = find_by_phone(demo_entrant_phone(n)) or register_new(
            {
                "phone": demo_entrant_phone(n),
                "full_name": name,
                "birth_year": birth_year,
                "gender": gender.value,
                "unit_id": rng.choice(communes),
                "occupation": rng.choice(list(Occupation)).value,
            }
        )
        device = SHARED_DEVICE if n % 50 == 7 else f"demo{rng.getrandbits(48):012x}"
        people.append(Person(entrant.id, entrant.birth_year, rng.uniform(0.35, 0.92), device))
    return people


def _answers(rng: random.Random, paper: list, skill: float, info: RoundInfo) -> dict[str, str]:
    """What this person ticks, as the attempt page would send it (shown positions)."""
    keys = question_cache().all_keys(qid for qid, _order in paper)
    answers = {}
    for position, (qid, order) in enumerate(paper):
        right = sorted(order.index(str(k)) for k in keys[qid])
        if rng.random() < skill:
            answers[str(position)] = ",".join(map(str, right))
        else:
            wrong = [i for i in range(len(order)) if i not in right]
            answers[str(position)] = str(rng.choice(wrong))
    if info.has_prediction:
        answers["p"] = str(rng.randint(5, 150))
    return answers


def play_round(rng: random.Random, info: RoundInfo, people: list[Person], since_ms, until_ms):
    """Every person takes one to three attempts between the two times, in time order."""
    plays = []
    for person in people:
        tries = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
        for _ in range(min(tries, info.max_attempts or tries)):
            plays.append((rng.randint(since_ms, until_ms), person))
    plays.sort(key=lambda play: play[0])
    # Too fast to have read the questions, in the open round (its review list shows them).
    fast = {id(person) for person in people[3:6]} if info.ends_at_ms > now_ms() else set()
    buffer = engine().buffer
    for at, person in plays:
        try:
            started = start_attempt(
                info, person.entrant_id, person.birth_year, at, device=person.device
            )
        except Busy:  # admission's bucket was stamped later than `at` by real starts
            continue
        paper = load_attempt(started.attempt_id).paper
        if id(person) in fast:
            used, skill = rng.randint(12_000, 20_000), 1.0
        else:
            used, skill = rng.randint(90_000, 14 * 60_000), person.skill
        buffer.submit(started.attempt_id, at + used, _answers(rng, paper, skill, info))
    return len(plays)


def finished_contest(owner: Unit, bank: QuestionBank) -> Contest:
    """A demo contest whose one round ended yesterday (created once)."""
    contest = db.session.scalar(select(Contest).where(Contest.slug == FINISHED_SLUG))
    if contest is not None:
        return contest
    now = utcnow().replace(second=0, microsecond=0)
    contest = Contest(
        slug=FINISHED_SLUG,
        title="Cuộc thi tìm hiểu pháp luật về chuyển đổi số (dữ liệu mẫu, đã kết thúc)",
        description="Cuộc thi mẫu đã kết thúc và đã công bố kết quả.",
        rules="Mỗi lượt thi gồm 10 câu hỏi trong 15 phút; mỗi người thi tối đa 2 lượt, lượt "
        "tốt nhất được tính. Giải Nhất từ 10 câu đúng, giải Nhì từ 9, giải Ba từ 8; "
        "giấy chứng nhận tham gia từ 7 câu đúng.",
        owner_unit_id=owner.id,
        ranking_order=list(DEFAULT_ORDER),
        is_published=True,
    )
    db.session.add(contest)
    db.session.flush()
    db.session.add(
        Round(
            contest_id=contest.id,
            number=1,
            title="Đợt 1",
            bank_id=bank.id,
            starts_at=now - timedelta(days=8),
            ends_at=now - timedelta(days=1),
            questions_per_attempt=10,
            time_limit_seconds=15 * 60,
            max_attempts=2,
            counting_rule=CountingRule.BEST,
            show_score=Visibility.IMMEDIATELY,
            show_answers=Visibility.AFTER_CLOSE,
            prediction_reference=PredictionReference.FULL_CORRECT_ENTRANTS,
            prediction_prompt="Theo bạn, có bao nhiêu người trả lời đúng tất cả các câu hỏi?",
            prizes={"first": 1, "second": 2, "third": 3, "consolation": 10},
            prize_min_correct={"first": 10, "second": 9, "third": 8, "consolation": 7},
            certificate_min_correct=7,
        )
    )
    db.session.flush()
    return contest


def already_played(open_contest: Contest, finished: Contest) -> bool:
    rounds = [open_contest.rounds[0].id, finished.rounds[0].id]
    found = db.session.scalar(select(Attempt.id).where(Attempt.round_id.in_(rounds)).limit(1))
    return found is not None


def play_demo(open_contest: Contest, finished: Contest, people: list[Person], rng) -> int:
    """The people's scored attempts in both demo contests, the finished one's winners
    published (flushed: seed-demo commits); the number of attempts."""
    open_round, done_round = open_contest.rounds[0], finished.rounds[0]
    count = 0
    for round_ in (done_round, open_round):
        info = get_round(round_.id, fresh=True)
        since = max(info.starts_at_ms, info.ends_at_ms - 7 * 86_400_000)
        until = min(info.ends_at_ms, now_ms()) - 20 * 60_000
        if until - since >= 3_600_000:  # an hour at least: else leave the round alone
            count += play_round(rng, info, people, since, until)
    drain_submissions(max_seconds=120)
    if close_round(done_round.id):
        publish_winners(done_round.id)
    clear_caches()
    return count
