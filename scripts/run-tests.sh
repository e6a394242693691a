#!/usr/bin/env bash
# Set up (first time only) and run lint plus the whole test suite, browser tests included.
# Browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Two workers, one test file each at a time (--dist loadfile: a file's module fixtures, such as
# the proxy's servers, start once): the browser tests spend much of their time waiting on a page,
# so on two cores the suite took 0.76x of one process (0.84x for the lab's browser tests alone,
# measured on a shared machine). NORMVIZ_TEST_WORKERS=0 runs it in
# one process (pytest's own output, pdb).
exec .venv/bin/python -m pytest -n "${NORMVIZ_TEST_WORKERS:-2}" --dist loadfile "$@"
