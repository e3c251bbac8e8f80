#!/usr/bin/env bash
# One command: set everything up and run the whole test suite: lint, then the
# tests against the embedded defaults (SQLite + embedded Redis), and again
# against PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set.
# Extra arguments go to pytest (e.g. ./test.sh -k leaderboard).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "== tests: embedded defaults (SQLite file, embedded Redis) =="
env -u TEST_DATABASE_URL -u TEST_REDIS_URL .venv/bin/pytest "$@"

if [ -n "${TEST_DATABASE_URL:-}" ] || [ -n "${TEST_REDIS_URL:-}" ]; then
  if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
    echo "Set both TEST_DATABASE_URL and TEST_REDIS_URL (or neither)." >&2
    exit 1
  fi
  echo "== tests: $TEST_DATABASE_URL and $TEST_REDIS_URL =="
  .venv/bin/pytest "$@"
fi
