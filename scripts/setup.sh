#!/usr/bin/env bash
# Creates .venv and installs the pinned packages when they changed; compiles
# the translations. Usage: scripts/setup.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-runtime}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed (found: $("$python" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv; then
    echo "Could not create a virtualenv. On Debian/Ubuntu: apt-get install python3-venv" >&2
    exit 1
  fi
fi
requirements=requirements.txt
[ "$kind" = dev ] && requirements=requirements-dev.txt
stamp=".venv/.installed-$kind"
wanted="$(cat requirements*.txt | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing Python packages ($requirements)…"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$requirements"
  echo "$wanted" > "$stamp"
fi
.venv/bin/pybabel compile --use-fuzzy -d translations -f >/dev/null 2>&1 || .venv/bin/pybabel compile -d translations
