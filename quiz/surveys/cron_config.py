"""The surveys' periodic job, loaded by the scheduler beside quiz.scoring.cron_config.

Submits enqueue drains themselves; this catches any lost enqueue.
"""

from rq import cron

from quiz.extensions import SCORING_QUEUE
from quiz.surveys.drain import drain_surveys

cron.register(drain_surveys, SCORING_QUEUE, interval=15, job_timeout=600, result_ttl=60)
