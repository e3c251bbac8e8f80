"""Periodic jobs, for `python -m quiz.scoring.scheduler` (the default configuration).

Every job is idempotent, so a second scheduler (or a missed tick) does no harm.
"""

from rq import cron

from quiz.extensions import DEFAULT_QUEUE, SCORING_QUEUE
from quiz.scoring.jobs import (
    close_due_rounds,
    drain_submissions,
    sweep_expired_attempts,
    watch_redis,
)

# A safety net: submits enqueue drains themselves; this catches any lost enqueue.
cron.register(drain_submissions, SCORING_QUEUE, interval=15, job_timeout=600, result_ttl=60)
cron.register(sweep_expired_attempts, SCORING_QUEUE, interval=10, job_timeout=300, result_ttl=60)
cron.register(close_due_rounds, DEFAULT_QUEUE, interval=30, job_timeout=900, result_ttl=60)
# After a Redis restart: the loss alarm within seconds, even if nobody starts an attempt.
cron.register(watch_redis, DEFAULT_QUEUE, interval=10, job_timeout=120, result_ttl=60)
