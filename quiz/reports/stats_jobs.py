"""The contest dashboard's numbers, computed by an RQ job and cached in Redis.

A contest of a hundred thousand entrants takes seconds to summarise (the
question statistics read every scored paper), far too long for a request:
the page asks for a job (`request_stats`) and renders what the last one
stored (`stats_for`). A Redis SET NX flag makes a crowd of organizers
reloading the page enqueue one job, not one each.

The cache holds counts per unit for the whole contest; pages filter them to
the viewer's scope when they render, and compute rates with the current
population figures.
"""

from __future__ import annotations

import json
import logging
import time

from quiz.extensions import DEFAULT_QUEUE, db, get_queue, get_redis
from quiz.models import Contest
from quiz.reports import question_stats, statistics
from quiz.scoring import keys
from quiz.timeutil import now_ms
from quiz.worker import in_app_context

log = logging.getLogger(__name__)

# Numbers older than this are shown but recomputed in the background.
STALE_SECONDS = 5 * 60
# Kept long after they go stale: an old figure beats an empty page while a job runs.
KEEP_SECONDS = 7 * 24 * 3600
# A job may run this long; the "queued" flag lives as long, so a lost job
# (worker killed) cannot block recomputing for longer than that.
JOB_TIMEOUT_SECONDS = 30 * 60
# Question texts are cut in the cache: the table shows the start of each.
TEXT_CHARS = 300
FORMAT = 1


def stats_key(contest_id: int) -> str:
    return keys.stats(contest_id)


def queued_key(contest_id: int) -> str:
    return keys.stats_queued(contest_id)


def stats_for(contest_id: int) -> dict | None:
    """The last computed statistics of the contest, or None if there are none."""
    return cached_json(stats_key(contest_id))


def cached_json(key: str) -> dict | None:
    """A job's cached result of our FORMAT, or None (missing, damaged or older format)."""
    raw = get_redis().get(key)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if data.get("format") == FORMAT else None


def is_stale(stats: dict | None, now: int | None = None) -> bool:
    if stats is None:
        return True
    return (now or now_ms()) - stats.get("computed_at_ms", 0) > STALE_SECONDS * 1000


def is_queued(contest_id: int) -> bool:
    return bool(get_redis().exists(queued_key(contest_id)))


def request_stats(contest_id: int) -> bool:
    """Enqueue a computation unless one is already waiting or running; True if enqueued."""
    return enqueue_once(
        queued_key(contest_id),
        compute_contest_stats,
        contest_id,
        description=f"statistics of contest {contest_id}",
    )


def enqueue_once(flag: str, job, *args, description: str) -> bool:
    """Enqueue `job(*args)` unless the `flag` says one waits or runs; True if enqueued.

    The job deletes the flag when it ends; the flag expires with the job's
    time limit, so a lost job cannot block recomputing for longer.
    """
    client = get_redis()
    if not client.set(flag, b"1", nx=True, ex=JOB_TIMEOUT_SECONDS):
        return False
    try:
        get_queue(DEFAULT_QUEUE).enqueue(
            job,
            *args,
            job_timeout=JOB_TIMEOUT_SECONDS,
            result_ttl=0,  # the result lives in the cache, not in RQ
            description=description,
        )
    except Exception:
        client.delete(flag)
        raise
    return True


@in_app_context
def compute_contest_stats(contest_id: int) -> dict | None:
    """Compute the dashboard numbers of one contest and cache them as JSON."""
    client = get_redis()
    try:
        contest = db.session.get(Contest, contest_id)
        if contest is None:
            return None
        started = time.monotonic()
        data = build_stats(contest)
        data["duration_ms"] = int((time.monotonic() - started) * 1000)
        data["computed_at_ms"] = now_ms()
        client.set(stats_key(contest_id), json.dumps(data, separators=(",", ":")), ex=KEEP_SECONDS)
        log.info("statistics of contest %s computed in %s ms", contest_id, data["duration_ms"])
        return data
    finally:
        db.session.rollback()  # read only; end the transaction a long job held open
        client.delete(queued_key(contest_id))


def build_stats(contest: Contest) -> dict:
    """Everything the statistics page shows, as plain JSON-able values."""
    rounds = statistics.per_round_counts(contest.id)
    units = statistics.unit_counts(contest.id)
    entrants, attempts = statistics.contest_totals(contest.id)
    return {
        "format": FORMAT,
        "contest_id": contest.id,
        "totals": {"entrants": entrants, "attempts": attempts},
        "rounds": [
            {
                "round_id": r.round_id,
                "number": r.number,
                "title": r.title,
                "questions": r.questions,
                "entrants": r.entrants,
                "attempts": r.attempts,
                "fully_correct": r.fully_correct,
                "average_correct": r.average_correct,
            }
            for r in rounds
        ],
        "days": [
            {"day": d.day.isoformat(), "entrants": d.entrants, "attempts": d.attempts}
            for d in statistics.participation_by_day(contest.id)
        ],
        "units": {str(k): list(v) for k, v in units.subtree.items()},
        "no_unit": list(units.no_unit),
        "distribution": {
            str(r.round_id): statistics.score_distribution(r.round_id).attempts for r in rounds
        },
        "questions": {
            str(r.round_id): [_question(q) for q in question_stats.question_stats(r.round_id)]
            for r in rounds
            if r.attempts
        },
    }


def _question(q: question_stats.QuestionStat) -> dict:
    return {
        "question_id": q.question_id,
        "code": q.code,
        "topic": q.topic,
        "text": q.text[:TEXT_CHARS],
        "shown": q.shown,
        "correct": q.correct,
        "share_correct": q.share_correct,
        "discrimination": q.discrimination,
    }
