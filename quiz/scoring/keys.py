"""Every Redis key the product uses, named in one place (tests/test_redis_keys.py keeps it so).

Keys carry Redis Cluster hash tags (the part in braces picks the slot), so
that every key one Lua script or MULTI touches lives in one slot:

- `{q}`: the attempt engine. The start script takes an id from the global
  counter, queues the attempt on the global stream and moves the round's
  and contest's counters in one call, so all of it shares one slot (one
  master of a cluster carries the hot path; splitting it by round would need
  per-round id blocks and streams).
- `{c<contest id>}`: a contest's leaderboards (its rounds' boards too: one
  script places a result on the round board and the contest board).
- `{r<round id>}`: a round's result cache for result pages.
- `{s<survey id>}`: a survey's drafts, counts, responses and results.
Keys used one at a time (caches, uploads, flags) need no tag.
RQ's keys (`rq:...`) are RQ's own and live on the queue Redis.
"""

from __future__ import annotations

PREFIX = "q:"
ENGINE = PREFIX + "{q}:"

SUBMISSION_STREAM = ENGINE + "submissions"
SCORERS_GROUP = "scorers"
# Submissions that failed too often to score, kept for an administrator.
DEAD_LETTERS = ENGINE + "submissions:dead"
# Set by the first submit after a drain started; whoever sets it enqueues
# the next drain job, so a burst of submits enqueues one job, not thousands.
DRAIN_SCHEDULED = ENGINE + "drain:scheduled"
ADMISSION_BUCKET = ENGINE + "admission:start"
# Attempts are born in Redis: ids come from this counter, and each new
# attempt is queued on this stream until a worker copies it to the database.
ATTEMPT_IDS = ENGINE + "attempt:ids"
NEW_ATTEMPTS = ENGINE + "attempts:new"
PERSISTERS_GROUP = "persisters"
# Ids are handed out only up to this ceiling, a block reserved in the
# database (quiz/scoring/generation.py); the flag marks a refill under way.
ATTEMPT_ID_CEILING = ENGINE + "attempt:ceiling"
ATTEMPT_ID_REFILL = ENGINE + "attempt:refill"
# The run id of the Redis process whose data was checked against the
# database since it started, and the generation marker that check wrote.
REDIS_CHECKED = ENGINE + "redis:checked"
REDIS_GENERATION = ENGINE + "redis:generation"
REDIS_CHECK_LOCK = ENGINE + "redis:checking"


def attempt_prefix() -> str:
    return f"{ENGINE}att:"


def attempt(attempt_id: int) -> str:
    """Hash: the attempt as started (r, e, s, p, t, d) until it is in the database."""
    return f"{attempt_prefix()}{attempt_id}"


def round_seqs(round_id: int) -> str:
    """Hash: entrant id → attempts started in the round ("_" marks it seeded)."""
    return f"{ENGINE}seq:{round_id}"


def round_seqs_pattern() -> str:
    """Every round's attempt counts (SCAN MATCH)."""
    return f"{ENGINE}seq:*"


def answers_prefix() -> str:
    return f"{ENGINE}ans:"


def answers(attempt_id: int) -> str:
    return f"{answers_prefix()}{attempt_id}"


def receipt_prefix() -> str:
    return f"{ENGINE}sub:"


def receipt(attempt_id: int) -> str:
    return f"{receipt_prefix()}{attempt_id}"


def running(round_id: int, entrant_id: int) -> str:
    """The entrant's open attempt in a round: "attempt|deadline|size|seq"."""
    return f"{ENGINE}run:{round_id}:{entrant_id}"


def round_attempts(round_id: int) -> str:
    return f"{ENGINE}cnt:r{round_id}:attempts"


def round_entrants(round_id: int) -> str:
    return f"{ENGINE}cnt:r{round_id}:entrants"


def contest_attempts(contest_id: int) -> str:
    return f"{ENGINE}cnt:c{contest_id}:attempts"


def contest_entrants(contest_id: int) -> str:
    return f"{ENGINE}set:c{contest_id}:entrants"


def results(round_id: int) -> str:
    """Hash: attempt id → "correct|total|time used ms", for result pages."""
    return f"{PREFIX}{{r{round_id}}}:res"


# Leaderboards: a contest's boards share the hash tag "{c<id>}".
def _boards(contest_id: int) -> str:
    return f"{PREFIX}{{c{contest_id}}}:"


def round_board(contest_id: int, round_id: int) -> str:
    return f"{_boards(contest_id)}lb:{round_id}"


def round_board_entries(contest_id: int, round_id: int) -> str:
    return f"{_boards(contest_id)}lbe:{round_id}"


def contest_board(contest_id: int) -> str:
    return f"{_boards(contest_id)}lbc"


def contest_parts(contest_id: int) -> str:
    """Hash: "<entrant>:<round>" → counting parts; "<entrant>" → contest board member."""
    return f"{_boards(contest_id)}lbp"


def rebuilding(key: str) -> str:
    """The copy a board is rebuilt in before it replaces `key` (same hash tag, same slot)."""
    return f"{key}:rebuild"


def boards_pattern() -> str:
    """Every leaderboard key (KEYS/SCAN MATCH, for tests and tools)."""
    return f"{PREFIX}{{c*}}:lb*"


# Contest statistics computed by a worker, and the flag of a job under way.
def stats(contest_id: int) -> str:
    return f"{PREFIX}stats:contest:{contest_id}"


def stats_queued(contest_id: int) -> str:
    return f"{PREFIX}stats:queued:{contest_id}"


# Hash (data, name): an uploaded file between an import's preview and its confirmation.
def upload(purpose: str, account_id: int, token: str) -> str:
    return f"{PREFIX}upload:{purpose}:{account_id}:{token}"


# Counter: bumped when the unit tree changes, so every process drops its cached copy.
UNITS_TREE_VERSION = "units:tree:version"

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
    """Hash: respondent key → responses submitted (one per person; open links a few per device).

    Field "_" marks it counted from the database; "!" is when counting last found that
    Redis had forgotten who answered (ms).
    """
    return f"{_survey(survey_id)}counts"


def survey_counts_pattern() -> str:
    """Every survey's counts (SCAN MATCH)."""
    return f"{PREFIX}{{s*}}:counts"


def survey_responses(survey_id: int) -> str:
    """Stream: submitted responses until a worker writes them to the database."""
    return f"{_survey(survey_id)}responses"


def survey_drain(survey_id: int) -> str:
    """Flag: a drain job was asked for since the last drain began."""
    return f"{_survey(survey_id)}drain"


def survey_burst(survey_id: int, source: str) -> str:
    """Counter, expiring: responses from one source (address) in the burst window."""
    return f"{_survey(survey_id)}burst:{source}"


def survey_counting(survey_id: int) -> str:
    """Lock, expiring: one process counts who answered from the database at a time."""
    return f"{_survey(survey_id)}counting"


def survey_drain_lock(survey_id: int) -> str:
    return f"{_survey(survey_id)}draining"


def survey_results(survey_id: int, variant: str) -> str:
    """String (JSON): a survey's counts per unit for one filter or cross-tab (`variant`)."""
    return f"{_survey(survey_id)}results:{variant}"


def survey_results_queued(survey_id: int, variant: str) -> str:
    """Flag: a job computing that variant is waiting or running."""
    return f"{_survey(survey_id)}results-queued:{variant}"
