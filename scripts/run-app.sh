#!/usr/bin/env bash
# Set up (first time only) and run the normviz app on http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
# serve.py: the app (app.py) as Streamlit's ASGI st.App, with the lab's live stream route.
exec .venv/bin/python -m streamlit run serve.py "$@"
