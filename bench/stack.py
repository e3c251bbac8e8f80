"""A production-like stack on loopback for benchmarks: PostgreSQL, Redis, gunicorn.

PostgreSQL is the machine's server (a fresh database per run). Two Redis
servers are started here with the production settings: one with the
append-only file (fsync every second) for what must not be lost (answers,
submissions, new attempts), one without persistence for the live
leaderboards, which are rebuilt from the database if lost.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
PG = "postgresql://postgres@127.0.0.1:5432"
GUNICORN = "--workers 2 --worker-class sync --backlog 2048 --log-level warning"
# Behind nginx (the production set-up): threads, and connections nginx keeps open.
GUNICORN_THREADED = (
    "--workers 2 --worker-class gthread --threads 4 --keep-alive 75 --backlog 2048 "
    "--log-level warning"
)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (Debian package)…", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk")


NGINX_CONF = """
worker_processes 1;
pid {out}/nginx.pid;
error_log {out}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format timing '$request_method $uri $status $request_time';
    access_log {out}/access.log timing buffer=256k flush=5s;
    client_body_temp_path {out}/nginx-body;
    proxy_temp_path {out}/nginx-proxy;
    fastcgi_temp_path {out}/nginx-fastcgi;
    uwsgi_temp_path {out}/nginx-uwsgi;
    scgi_temp_path {out}/nginx-scgi;
    upstream quiz_web {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        keepalive_requests 10000;
        location / {{
            proxy_pass http://quiz_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def ensure_nginx() -> str:
    """nginx, from Debian's package if it is not installed yet."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    print("installing nginx (Debian package)…", flush=True)
    done = subprocess.run(["apt-get", "install", "-y", "nginx-light"], capture_output=True)
    if done.returncode:
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "nginx-light"], check=True, capture_output=True)
    return shutil.which("nginx") or "/usr/sbin/nginx"


def run_python(env: dict, code: str) -> str:
    """Run `code` in a fresh Python of the virtualenv with the stack's environment
    (the app reads its settings from it); what it printed."""
    done = subprocess.run(
        [str(BIN / "python"), "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(name: str) -> str:
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", sql], check=True
        )
    return f"{PG}/{name}"


@dataclass
class Stack:
    database: str
    env: dict = field(default_factory=dict)
    processes: list = field(default_factory=list)
    # url → (command, directory, process) of each Redis started here, to kill and restart.
    redis: dict = field(default_factory=dict)

    def start_redis(self, durable: bool) -> str:
        """A Redis server on a free port (benchmarks may run side by side)."""
        port = free_port()
        directory = OUT / f"redis-{port}"
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        persistence = "--appendonly yes --appendfsync everysec" if durable else "--appendonly no"
        command = (
            f"redis-server --port {port} --bind 127.0.0.1 --dir {directory} {persistence} "
            f"--logfile {directory / 'redis.log'} --save"
        ).split() + [""]
        url = f"redis://127.0.0.1:{port}/0"
        self.redis[url] = (command, directory, None)
        self.restart_redis(url)
        return url

    def restart_redis(self, url: str, empty: bool = False) -> None:
        """(Re)start a Redis of this stack: from its append-only file, or with no data at all."""
        command, directory, _ = self.redis[url]
        if empty:
            for path in directory.glob("appendonly*"):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        process = subprocess.Popen(command)
        self.processes.append(process)
        self.redis[url] = (command, directory, process)
        port = url.rsplit(":", 1)[1].split("/")[0]
        for _ in range(200):
            ping = subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True)
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("benchmark Redis did not start")

    def kill_redis(self, url: str) -> None:
        """kill -9: no shutdown, no last write (what was appended is in the file)."""
        _command, _directory, process = self.redis[url]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def prepare(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        url = recreate_database(self.database)
        self.env = dict(
            os.environ,
            QUIZ_ENV="production",
            DATABASE_URL=url,
            REDIS_URL=self.start_redis(durable=True),
            LEADERBOARD_REDIS_URL=self.start_redis(durable=False),
            SECRET_KEY="benchmark-only-secret-" + "x" * 32,
            SESSION_COOKIE_SECURE="0",
            START_RATE_PER_SECOND="1000000",
            START_BURST="1000000",
            PYTHONPATH=str(ROOT),
        )
        self.flask("db", "upgrade")

    def flask(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def gunicorn(
        self,
        target: str,
        port: int,
        workers: int = 2,
        threaded: bool = False,
        extra_env: dict | None = None,
    ) -> None:
        settings = GUNICORN_THREADED if threaded else GUNICORN
        args = settings.replace("--workers 2", f"--workers {workers}").split()
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), *args, "--bind", f"127.0.0.1:{port}", target],
            env={**self.env, **(extra_env or {})},
            cwd=ROOT,
        )
        self.processes.append(process)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)  # noqa: S310
                return
            except urllib.error.HTTPError:
                return  # answering (404/405) is up
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn {target} did not start")

    def nginx_log(self, port: int) -> Path:
        """nginx's access log: method, path, status and seconds from first byte read to
        last byte sent, as the server saw each request (the generator's delays excluded)."""
        return OUT / f"nginx-{port}" / "access.log"

    def nginx(self, port: int, upstream_ports: list[int]) -> str:
        """nginx in front of the web servers, as in production (deploy/nginx.conf).

        nginx holds the clients' connections and keeps a few open to each web
        server (`keepalive`, HTTP/1.1), which gunicorn's threaded workers
        (`threaded=True`) reuse. With sync workers every request would be a
        new connection, and in gunicorn 27 a sync worker, having answered,
        lingers until the other side closes it (`util.close_graceful`)
        before it takes the next one.
        """
        directory = OUT / f"nginx-{port}"
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstream_ports)
        conf = directory / "nginx.conf"
        conf.write_text(NGINX_CONF.format(out=directory, servers=servers, port=port))
        process = subprocess.Popen(
            [ensure_nginx(), "-c", str(conf), "-p", str(directory), "-g", "daemon off;"]
        )
        self.processes.append(process)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)  # noqa: S310
                return f"http://127.0.0.1:{port}"
            except urllib.error.HTTPError:
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    total: int


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if match is None:
        raise ValueError(f"unreadable wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    url: str, requests_file: Path, seconds: int, connections: int = 64, script: str = "cycle.lua"
) -> WrkResult:
    """wrk sending the file's requests in turn (`script`: fetch.lua adds X-Requested-With)."""
    script_path = ROOT / "bench" / "wrk" / script
    out = subprocess.run(
        [
            ensure_wrk(),
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script_path),
            url,
            "--",
            str(requests_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Latency Distribution" not in out:
        raise RuntimeError(f"wrk gave no latency figures:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", socket_errors):
        match = re.search(pattern, out)
        if match:
            errors += sum(int(g) for g in match.groups())
    return WrkResult(rps, p50, p99, errors, total)
