"""The live counters of starts, read in one place (quiz/scoring/live_counts.py)."""

from __future__ import annotations

import random
import re
from pathlib import Path

from quiz.scoring.live_counts import LiveCount, contest_counts, round_counts
from tests.factories import make_bank, make_contest, make_entrant
from tests.scoring.simulate import play

QUIZ = Path(__file__).resolve().parents[2] / "quiz"
COUNTER_KEYS = re.compile(r"keys\.(contest|round)_(entrants|attempts)\(")


def test_starts_are_counted_per_round_and_contest_entrants_once(ctx):
    bank = make_bank()
    played = make_contest(bank, slug="mot")
    quiet = make_contest(bank, slug="hai")
    round_id = played.rounds[0].id
    rng = random.Random(3)
    first, second = make_entrant(1).id, make_entrant(2).id
    for entrant in (first, first, second):  # the first entrant plays twice
        play(round_id, entrant, rng)
    assert contest_counts([played.id, quiet.id]) == [LiveCount(2, 3), LiveCount(0, 0)]
    assert round_counts([round_id, quiet.rounds[0].id]) == [LiveCount(2, 3), LiveCount(0, 0)]
    assert contest_counts([]) == [] and round_counts([]) == []


def test_only_the_start_script_and_live_counts_name_the_counter_keys():
    """A page that reads the counters itself would be a fourth copy of this read."""
    readers = {
        path.relative_to(QUIZ).as_posix()
        for path in QUIZ.rglob("*.py")
        if COUNTER_KEYS.search(path.read_text(encoding="utf-8"))
    }
    assert readers == {"scoring/admission.py", "scoring/live_counts.py"}
