#!/usr/bin/env bash
# Set up (first time only) and run lint plus the whole test suite, browser tests included.
# Browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
