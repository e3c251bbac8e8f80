"""Redis Cluster beside one Redis: the product's Redis work per second, in one run.

    .venv/bin/python bench/cluster.py          # writes its section of BENCHMARKS.md
    .venv/bin/python bench/cluster.py --attempts 1000 --no-report   # a quick look

One client process runs the product's own Redis calls (the start, save and
submit scripts, the scorer's batch reads, the board script and board reads)
against one `redis-server` and against a three-master Redis Cluster on
loopback (quiz/embedded_cluster.py), same binary, same settings (no
persistence), alternating rounds, the median of each. The database is not
involved: this measures what moving the data to a cluster costs or gains
per operation. The engine's keys share one slot (quiz/scoring/keys.py), so
one master carries the hot path; boards of different contests spread.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import time
from pathlib import Path

import redis
from redis.cluster import RedisCluster

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from bench.stack import Stack  # noqa: E402
from quiz.embedded_cluster import EmbeddedCluster  # noqa: E402
from quiz.scoring import keys  # noqa: E402
from quiz.scoring.admission import Admission  # noqa: E402
from quiz.scoring.batch import saved_answers  # noqa: E402
from quiz.scoring.buffer import SubmissionBuffer  # noqa: E402
from quiz.scoring.codes import StartCode  # noqa: E402
from quiz.scoring.generation import engine_run_id  # noqa: E402
from quiz.scoring.leaderboard import Leaderboard, Placement  # noqa: E402
from quiz.scoring.persistence import records_in_redis  # noqa: E402
from quiz.scoring.ranking import DEFAULT_ORDER, Result  # noqa: E402

ROUND, CONTEST, CONTESTS = 1, 1, 6
PAPER = [[q, "0123"] for q in range(1, 11)]
SAVES = 5
BATCH = 500
TABLE_HEAD = (
    "| operation | one Redis (calls/s) | cluster (calls/s) | cluster ÷ one "
    "| CPU µs per call, one Redis | CPU µs per call, cluster | cluster ÷ one |\n"
    "|---|---:|---:|---:|---:|---:|---:|"
)


def prepare(client: redis.Redis) -> None:
    """What the restart check and the seeding would have written."""
    client.flushdb()
    client.set(keys.REDIS_CHECKED, engine_run_id(client))
    client.set(keys.ATTEMPT_ID_CEILING, 10**12)


def server_cpu(client: redis.Redis) -> float:
    """CPU seconds used so far by the Redis server(s) behind `client` (every master)."""
    if isinstance(client, RedisCluster):
        infos = list(client.info("cpu", target_nodes=RedisCluster.PRIMARIES).values())
    else:
        infos = [client.info("cpu")]
    return sum(i["used_cpu_sys"] + i["used_cpu_user"] for i in infos)


class Meter:
    """Per operation: calls per second (wall clock) and CPU per call (client + servers).

    CPU per call is the steadier figure on a shared machine: waiting for a
    core taken by other work lengthens the wall clock, not the CPU used.
    """

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.rates: dict[str, float] = {}
        self.cpu_us: dict[str, float] = {}

    @contextlib.contextmanager
    def op(self, name: str, count: int):
        server, own, wall = server_cpu(self.client), time.process_time(), time.perf_counter()
        yield
        wall = time.perf_counter() - wall
        cpu = time.process_time() - own + server_cpu(self.client) - server
        self.rates[name] = count / wall
        self.cpu_us[name] = cpu / count * 1e6


def hot_path(meter: Meter, attempts: int) -> None:
    client = meter.client
    prepare(client)
    admission = Admission(client, 10**6, 10**6, 10**9)
    admission.load_seqs(ROUND, {})
    buffer = SubmissionBuffer(client, b"bench")
    now = int(time.time() * 1000)
    ids = []
    with meter.op("attempt start", attempts):
        for entrant in range(1, attempts + 1):
            outcome = admission.start(ROUND, CONTEST, entrant, PAPER, now, now + 3_600_000, None)
            assert outcome.code == StartCode.STARTED, outcome
            ids.append(outcome.running.attempt_id)
    with meter.op("answer save", attempts * SAVES):
        for attempt_id in ids:
            for position in range(SAVES):
                buffer.save_answer(attempt_id, str(position), "1", 100, now)
    with meter.op("submit", attempts):
        for attempt_id in ids:
            buffer.submit(attempt_id, now + 60_000)
    with meter.op("scoring batch reads (per attempt)", attempts):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            assert len(saved_answers(client, chunk)) == len(chunk)
            assert len(records_in_redis(client, chunk)) == len(chunk)


def boards(meter: Meter, results: int) -> None:
    board = Leaderboard(meter.client)
    placements = []
    for n in range(1, results + 1):
        contest = 1 + n % CONTESTS
        result = Result(n, n, n, n % 11, 10, (n % 600) * 1000, n % 4000, 1_795_000_000_000, 0)
        order = DEFAULT_ORDER
        placements.append(
            Placement(contest, contest, "best", order, order, (contest,), None, result)
        )
    with meter.op(f"board placement ({CONTESTS} contests)", results):
        for start in range(0, len(placements), BATCH):
            board.apply(placements[start : start + BATCH])
    with meter.op("board rank read", results):
        for n in range(1, results + 1):
            contest = 1 + n % CONTESTS
            assert board.rank_of(contest, contest, n) is not None


def measure(client: redis.Redis, attempts: int) -> Meter:
    meter = Meter(client)
    hot_path(meter, attempts)
    boards(meter, attempts)
    return meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args()
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    assert server and cli, "redis-server and redis-cli on PATH"
    stack = Stack("unused")
    single_runs: list[Meter] = []
    cluster_runs: list[Meter] = []
    try:
        single = redis.Redis.from_url(stack.start_redis(durable=False))
        with EmbeddedCluster(executables=(server, cli)) as running:
            cluster = RedisCluster.from_url(running.url)
            for _ in range(args.rounds):
                single_runs.append(measure(single, args.attempts))
                cluster_runs.append(measure(cluster, args.attempts))
            cluster.flushdb()
        single.flushdb()
    finally:
        stack.stop()
    rows = []
    for name in single_runs[0].rates:
        one = statistics.median(m.rates[name] for m in single_runs)
        many = statistics.median(m.rates[name] for m in cluster_runs)
        cpu_one = statistics.median(m.cpu_us[name] for m in single_runs)
        cpu_many = statistics.median(m.cpu_us[name] for m in cluster_runs)
        rows.append(
            f"| {name} | {one:,.0f} | {many:,.0f} | {many / one:.2f} "
            f"| {cpu_one:,.0f} | {cpu_many:,.0f} | {cpu_many / cpu_one:.2f} |"
        )
        print(rows[-1])
    if args.no_report:
        return
    body = f"""
## Redis Cluster beside one Redis: the product's Redis calls per second

Command: `.venv/bin/python bench/cluster.py` ({args.attempts:,} attempts and as many board
results per round, {args.rounds} alternating rounds, median shown). One client process on
loopback; one `redis-server` against a three-master Redis Cluster started by
`quiz/embedded_cluster.py` (same binary, no persistence). No database: the product's
own Redis calls only (start, save and submit scripts; the scorer's batch reads of
answers and attempt records; the board script over {CONTESTS} contests; rank reads).

{TABLE_HEAD}
{chr(10).join(rows)}

CPU per call is the client's CPU plus every master's (`INFO cpu`), the
steadier figure on this shared machine: waiting for a core taken by other
work stretches the calls per second (those columns move a lot from run to
run), not the CPU a call uses.

What it shows: one client gains nothing from a cluster. redis-py's cluster
client adds its routing to every call (the slot of the keys, the master that
holds it, a pooled connection), a fixed cost per call: it weighs on cheap
calls (a save, a submit, a rank read, which is two calls) and hardly on calls
that do much work each (a start, a batch read of 500 attempts, placing 500
results). What one client cannot
show is the capacity gained: the engine's keys share one hash tag (`{{q}}`,
quiz/scoring/keys.py), so one master carries the attempt engine, while boards
(`{{c<contest>}}`), result caches (`{{r<round>}}`) and surveys (`{{s<survey>}}`)
spread over the others; spreading the engine itself needs per-round id
blocks and streams (not done).
"""
    write_section("cluster", body)


if __name__ == "__main__":
    main()
