"""The periodic-job scheduler, which outlives Redis outages:

    python -m quiz.scoring.scheduler --url "$REDIS_URL"   # scoring and surveys cron_config

It runs the jobs of `cron_config` as `rq cron` would. `rq cron` exits on the
first Redis error it meets (a restart of a few seconds is enough), and with
it go the safety-net drains, the sweeper and the round closer: submissions
would then wait for the next submit to enqueue a drain, expired attempts
would never be submitted, rounds never closed. This one waits for Redis
with backoff and carries on. A job enqueued twice around an outage is
harmless: every periodic job is idempotent.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import time

import redis
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from quiz.backoff import REDIS_DOWN, Backoff, wait_for_redis

log = logging.getLogger(__name__)
DEFAULT_CONFIG = "quiz.scoring.cron_config"
# Areas above scoring keep their periodic jobs in their own config (named, not imported).
DEFAULT_CONFIGS = (DEFAULT_CONFIG, "quiz.surveys.cron_config")


class PatientCronScheduler(CronScheduler):
    """rq's cron scheduler whose loop waits out Redis outages instead of ending."""

    def start(self) -> None:
        self._install_signal_handlers()
        backoff = Backoff()
        try:
            self._patiently(self.register_birth, backoff)
            while True:
                self._patiently(self._tick, backoff)
                pause = self.calculate_sleep_interval()
                if pause > 0:
                    time.sleep(pause)
        except (KeyboardInterrupt, StopRequested):
            log.info("scheduler %s: stopping", self.name)
        finally:
            with contextlib.suppress(*REDIS_DOWN):
                self.register_death()

    def _tick(self) -> None:
        """Enqueue what is due and say we are alive (re-registering if Redis lost us)."""
        if self.enqueue_jobs():
            self.save()
        self.heartbeat()

    def _patiently(self, call, backoff: Backoff) -> None:
        while True:
            try:
                call()
                return
            except REDIS_DOWN as exc:
                log.warning("scheduler %s lost Redis: %s", self.name, exc)
                wait_for_redis(self.connection, log, f"scheduler {self.name}", backoff)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("REDIS_URL"), help="Redis URL")
    parser.add_argument("--logging-level", default="INFO")
    parser.add_argument(
        "config", nargs="*", default=list(DEFAULT_CONFIGS), help="modules of cron jobs"
    )
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("--url or REDIS_URL is required")
    logging.basicConfig(
        level=args.logging_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    # Timeouts, so that a Redis that stops answering is noticed rather than waited on.
    connection = redis.Redis.from_url(args.url, socket_timeout=30, socket_connect_timeout=5)
    scheduler = PatientCronScheduler(connection=connection, logging_level=args.logging_level)
    for config in args.config:
        scheduler.load_config_from_file(config)
    scheduler.start()


if __name__ == "__main__":
    main()
