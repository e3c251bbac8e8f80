#!/usr/bin/env bash
# One command: set everything up and run the product with embedded defaults
# (SQLite under instance/, embedded Redis, a web server, an RQ worker, the
# scheduler, demo data). Ctrl-C stops every process it started.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh runtime
exec .venv/bin/python -m quiz.devstack
