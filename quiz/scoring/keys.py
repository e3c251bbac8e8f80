"""Every Redis key the product uses, named in one place."""

from __future__ import annotations

PREFIX = "q:"

SUBMISSION_STREAM = PREFIX + "submissions"
SCORERS_GROUP = "scorers"
# Set by the first submit after a drain started; whoever sets it enqueues
# the next drain job, so a burst of submits enqueues one job, not thousands.
DRAIN_SCHEDULED = PREFIX + "drain:scheduled"
ADMISSION_BUCKET = PREFIX + "admission:start"
# Attempts are born in Redis: ids come from this counter, and each new
# attempt is queued on this stream until a worker copies it to the database.
ATTEMPT_IDS = PREFIX + "attempt:ids"
NEW_ATTEMPTS = PREFIX + "attempts:new"
PERSISTERS_GROUP = "persisters"
# Ids are handed out only up to this ceiling, a block reserved in the
# database (quiz/scoring/generation.py); the flag marks a refill under way.
ATTEMPT_ID_CEILING = PREFIX + "attempt:ceiling"
ATTEMPT_ID_REFILL = PREFIX + "attempt:refill"
# The run id of the Redis process whose data was checked against the
# database since it started, and the generation marker that check wrote.
REDIS_CHECKED = PREFIX + "redis:checked"
REDIS_GENERATION = PREFIX + "redis:generation"
REDIS_CHECK_LOCK = PREFIX + "redis:checking"


def attempt_prefix() -> str:
    return f"{PREFIX}att:"


def attempt(attempt_id: int) -> str:
    """Hash: the attempt as started (r, e, s, p, t, d) until it is in the database."""
    return f"{PREFIX}att:{attempt_id}"


def round_seqs(round_id: int) -> str:
    """Hash: entrant id → attempts started in the round ("_" marks it seeded)."""
    return f"{PREFIX}seq:{round_id}"


def round_seqs_pattern() -> str:
    """Every round's attempt counts (SCAN MATCH)."""
    return f"{PREFIX}seq:*"


def answers_prefix() -> str:
    return f"{PREFIX}ans:"


def answers(attempt_id: int) -> str:
    return f"{PREFIX}ans:{attempt_id}"


def receipt(attempt_id: int) -> str:
    return f"{PREFIX}sub:{attempt_id}"


def receipt_prefix() -> str:
    return f"{PREFIX}sub:"


def running(round_id: int, entrant_id: int) -> str:
    """The entrant's open attempt in a round: "attempt|deadline|size|seq"."""
    return f"{PREFIX}run:{round_id}:{entrant_id}"


def results(round_id: int) -> str:
    """Hash: attempt id → "correct|total|time used ms", for result pages."""
    return f"{PREFIX}res:{round_id}"


def round_board(round_id: int) -> str:
    return f"{PREFIX}lb:{round_id}"


def round_board_entries(round_id: int) -> str:
    return f"{PREFIX}lbe:{round_id}"


def contest_board(contest_id: int) -> str:
    return f"{PREFIX}lbc:{contest_id}"


def contest_parts(contest_id: int) -> str:
    """Hash: "<entrant>:<round>" → counting parts; "<entrant>" → contest board member."""
    return f"{PREFIX}lbp:{contest_id}"


def round_attempts(round_id: int) -> str:
    return f"{PREFIX}cnt:r{round_id}:attempts"


def round_entrants(round_id: int) -> str:
    return f"{PREFIX}cnt:r{round_id}:entrants"


def contest_attempts(contest_id: int) -> str:
    return f"{PREFIX}cnt:c{contest_id}:attempts"


def contest_entrants(contest_id: int) -> str:
    return f"{PREFIX}set:c{contest_id}:entrants"


# Namespace of the staff sign-in budgets in quiz.throttle (the limits package
# builds the full key from it, the budget and the account, device or address).
STAFF_SIGN_IN = "staff-login"


# Surveys: every key of one survey carries the hash tag "{s<id>}", so the
# save and submit scripts touch a single Redis Cluster slot.
def _survey(survey_id: int) -> str:
    return f"{PREFIX}{{s{survey_id}}}:"


def survey_draft(survey_id: int, respondent: str) -> str:
    """Hash: field → value, the answers given so far (reload or another device resumes)."""
    return f"{_survey(survey_id)}draft:{respondent}"


def survey_counts(survey_id: int) -> str:
    """Hash: respondent key → responses submitted (one per person; open links a few per device)."""
    return f"{_survey(survey_id)}counts"


def survey_responses(survey_id: int) -> str:
    """Stream: submitted responses until a worker writes them to the database."""
    return f"{_survey(survey_id)}responses"


def survey_drain(survey_id: int) -> str:
    """Flag: a drain job was asked for since the last drain began."""
    return f"{_survey(survey_id)}drain"


def survey_burst(survey_id: int, source: str) -> str:
    """Counter, expiring: responses from one source (address) in the burst window."""
    return f"{_survey(survey_id)}burst:{source}"


def survey_drain_lock(survey_id: int) -> str:
    return f"{_survey(survey_id)}draining"


def survey_results(survey_id: int, variant: str) -> str:
    """String (JSON): a survey's counts per unit for one filter or cross-tab (`variant`)."""
    return f"{PREFIX}{{s{survey_id}}}:results:{variant}"


def survey_results_queued(survey_id: int, variant: str) -> str:
    """Flag: a job computing that variant is waiting or running."""
    return f"{PREFIX}{{s{survey_id}}}:results-queued:{variant}"
