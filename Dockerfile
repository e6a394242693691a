# normviz in a container: one Streamlit process serving the app on port 8501.
#
#   docker build -t normviz .
#   docker run --rm -p 8501:8501 normviz                 # then open http://localhost:8501
#
# One container is one process, i.e. about one core (docs/hosting.md). For more students run
# several containers behind a load balancer with session affinity (cookie-based stickiness), and
# give them all the same cookie secret: -e STREAMLIT_SERVER_COOKIE_SECRET=<from your secret store>.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# torch first, from PyTorch's CPU index: the default index's Linux wheel pulls several GB of CUDA
# libraries that normviz never uses. The CPU build (2.13.0+cpu) then satisfies requirements.txt's
# torch==2.13.0, so the next step leaves it alone.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY requirements.txt ./
RUN pip install -r requirements.txt

# The app itself (.dockerignore keeps out the venv, git, tests, benchmarks and .run-class/ with
# its cookie secret). Files stay owned by root: the app reads its code, never writes it.
COPY . .

# Run as an unprivileged user with a home of its own.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin normviz
USER normviz

EXPOSE 8501

# GET /_stcore/health answers "ok" from Streamlit's event loop without running any script.
# The image has no curl: Python asks. Under a heavy class its latency rises: 5 s of patience.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4); sys.exit(0 if r.read() == b'ok' else 1)"]

# serve.py is the app (app.py) as Streamlit's ASGI st.App with the lab's live stream route
# (/_nv/live/<token>, Server-Sent Events). The project's settings come from
# /app/.streamlit/config.toml (upload limit, no tracebacks for students, no file watcher...);
# the container only adds where to listen.
CMD ["python", "-m", "streamlit", "run", "serve.py", "--server.address=0.0.0.0", "--server.port=8501"]
