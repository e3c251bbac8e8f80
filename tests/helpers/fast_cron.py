"""A cron configuration for tests: the safety-net drain every second, so a test
can tell within seconds whether the scheduler still enqueues jobs."""

from rq import cron

from quiz.extensions import SCORING_QUEUE
from quiz.scoring.jobs import drain_submissions

cron.register(drain_submissions, SCORING_QUEUE, interval=1, job_timeout=60, result_ttl=10)
