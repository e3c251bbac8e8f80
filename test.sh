#!/usr/bin/env bash
# One command: set everything up and run the whole test suite: lint, then the
# tests against the embedded defaults (SQLite + embedded Redis), and again
# against PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set
# (browser tests then run in that second pass only, see below).
# Extra arguments go to pytest (e.g. ./test.sh -k leaderboard).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .

second_pass=
if [ -n "${TEST_DATABASE_URL:-}" ] || [ -n "${TEST_REDIS_URL:-}" ]; then
  if [ -z "${TEST_DATABASE_URL:-}" ] || [ -z "${TEST_REDIS_URL:-}" ]; then
    echo "Set both TEST_DATABASE_URL and TEST_REDIS_URL (or neither)." >&2
    exit 1
  fi
  second_pass=1
fi

# Browser tests (tests/browser, marker `browser`) check what people see; they
# run once: in the PostgreSQL + Redis pass when there is one (the production-
# like pair), otherwise in this one. Every other test runs in both passes.
# A `-m` given to ./test.sh comes last and replaces this one.
embedded=()
if [ -n "$second_pass" ]; then
  embedded=(-m "not browser")
  echo "== tests: embedded defaults (SQLite file, embedded Redis), browser tests in the next pass =="
else
  echo "== tests: embedded defaults (SQLite file, embedded Redis) =="
fi
env -u TEST_DATABASE_URL -u TEST_REDIS_URL .venv/bin/pytest "${embedded[@]}" "$@"

if [ -n "$second_pass" ]; then
  echo "== tests: $TEST_DATABASE_URL and $TEST_REDIS_URL =="
  .venv/bin/pytest "$@"
fi
