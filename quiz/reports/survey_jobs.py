"""A survey's results, computed by RQ jobs and cached in Redis: pages never count.

Counting a hundred thousand responses takes seconds; the results page asks
for a job and renders what the last one stored, exactly like the contest
statistics (`stats_jobs.py`, whose queueing it shares). What is cached is
counts per unit, so drilling down the unit tree is a sum at render time;
each demographic filter (age band, gender, occupation) and each cross-tab
is its own cached variant, computed the first time someone asks for it.
Respondents' pages never read these keys nor wait for these jobs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping

from quiz.extensions import db, get_redis
from quiz.models.surveys import Survey
from quiz.reports import survey_counts
from quiz.reports.stats_jobs import FORMAT, KEEP_SECONDS, cached_json, enqueue_once
from quiz.scoring import keys
from quiz.timeutil import now_ms
from quiz.worker import in_app_context

log = logging.getLogger(__name__)


def variant(filters: Mapping[str, str], pair: tuple[int, int] | None = None) -> str:
    """The cache's name for one filter (and cross-tab): "all" without either."""
    parts = [f"{k}={filters[k]}" for k in sorted(filters)]
    if pair is not None:
        parts.append(f"x={pair[0]},{pair[1]}")
    if not parts:
        return "all"
    return hashlib.sha256("&".join(parts).encode()).hexdigest()[:16]


def results_for(survey_id: int, filters: Mapping[str, str], pair=None) -> dict | None:
    """The last computed counts of this variant, or None if there are none."""
    return cached_json(keys.survey_results(survey_id, variant(filters, pair)))


def is_queued(survey_id: int, filters: Mapping[str, str], pair=None) -> bool:
    flag = keys.survey_results_queued(survey_id, variant(filters, pair))
    return bool(get_redis().exists(flag))


def request_results(survey_id: int, filters: Mapping[str, str], pair=None) -> bool:
    """Enqueue the computation of one variant unless one waits or runs; True if enqueued."""
    name = variant(filters, pair)
    return enqueue_once(
        keys.survey_results_queued(survey_id, name),
        compute_survey_results,
        survey_id,
        dict(filters),
        list(pair) if pair else None,
        description=f"results of survey {survey_id} ({name})",
    )


@in_app_context
def compute_survey_results(survey_id: int, filters: dict, pair: list | None = None):
    """Count one variant of a survey's results and cache it as JSON."""
    client = get_redis()
    pair_ = (int(pair[0]), int(pair[1])) if pair else None
    name = variant(filters, pair_)
    try:
        if db.session.get(Survey, survey_id) is None:
            return None
        started = time.monotonic()
        data = build_results(survey_id, filters, pair_)
        data["duration_ms"] = int((time.monotonic() - started) * 1000)
        data["computed_at_ms"] = now_ms()
        raw = json.dumps(data, separators=(",", ":"))
        client.set(keys.survey_results(survey_id, name), raw, ex=KEEP_SECONDS)
        log.info("results of survey %s (%s) in %s ms", survey_id, name, data["duration_ms"])
        return data
    finally:
        db.session.rollback()  # read only; end the transaction a long job held open
        client.delete(keys.survey_results_queued(survey_id, name))


def build_results(survey_id: int, filters: Mapping[str, str], pair=None) -> dict:
    """What the results page reads, as plain JSON-able values."""
    data: dict = {"format": FORMAT, "survey_id": survey_id, "filters": dict(filters)}
    if pair is not None:
        data["pairs"] = survey_counts.pairs_by_unit(survey_id, *pair, filters)
        return data
    data["units"] = survey_counts.counts_by_unit(survey_id, filters)
    if not filters:
        data["choices"] = survey_counts.filter_choices(survey_id)
    return data
