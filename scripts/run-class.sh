#!/usr/bin/env bash
# Run N normviz processes behind HAProxy with sticky sessions: one process per core for a class.
#
#   bash scripts/run-class.sh --replicas 2                 # students open http://<machine>:8501
#   bash scripts/run-class.sh --replicas 4 --port 8080 -- --server.maxUploadSize 10
#
# Options:
#   --replicas N        number of Streamlit processes (default: the number of cores)
#   --port P            the proxy's port, the only one students use (default 8501)
#   --address A         the proxy's address (default 0.0.0.0: every interface; 127.0.0.1 to test)
#   --backend-ports L   comma-separated loopback ports of the N processes (default P+1 ... P+N)
#   --run-dir D         where the cookie secret, generated haproxy.cfg, logs, pid files and the
#                       HAProxy admin socket live (default .run-class, git-ignored)
#   -- ARGS             everything after -- goes to every `streamlit run serve.py`
#
# It sets up .venv like scripts/run-app.sh, then runs in the foreground: the processes on
# 127.0.0.1 (logs in <run dir>/s<i>.log), HAProxy in front (its log on this terminal).
# Ctrl-C or SIGTERM stops every process it started. Needs Debian's haproxy (apt-get install
# haproxy). A process that dies is marked DOWN by the proxy's health check and its students'
# next connection goes to a live one; this script does not restart it (run it under systemd with
# Restart=always to restart the whole class).
set -euo pipefail
cd "$(dirname "$0")/.."

replicas="$(nproc 2>/dev/null || echo 2)"
port=8501
address=0.0.0.0
backend_ports=""
run_dir=.run-class
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --address) address="$2"; shift 2 ;;
    --backend-ports) backend_ports="$2"; shift 2 ;;
    --run-dir) run_dir="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "run-class.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$replicas" =~ ^[1-9][0-9]*$ ]] || ! [[ "$port" =~ ^[0-9]+$ ]]; then
  echo "run-class.sh: --replicas must be >= 1 and --port a number" >&2
  exit 2
fi
if [ -z "$backend_ports" ]; then
  ports=()
  for i in $(seq 1 "$replicas"); do ports+=("$((port + i))"); done
else
  IFS=, read -r -a ports <<<"$backend_ports"
  if [ "${#ports[@]}" -ne "$replicas" ]; then
    echo "run-class.sh: --backend-ports needs $replicas ports, got ${#ports[@]}" >&2
    exit 2
  fi
fi
haproxy_bin="$(command -v haproxy || echo /usr/sbin/haproxy)"
if [ ! -x "$haproxy_bin" ]; then
  echo "run-class.sh: haproxy is missing: apt-get install haproxy (Debian's 2.6 or later)" >&2
  exit 1
fi

bash scripts/setup.sh requirements.txt

mkdir -p "$run_dir"
chmod 700 "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"

# The one thing the processes share: the key that signs Streamlit's cookies. Generated once,
# readable only by this user, kept across restarts (so cookies signed before a restart stay
# valid), and passed through the environment, not the command line, which `ps` shows to everyone.
secret_file="$run_dir/cookie_secret"
if [ ! -s "$secret_file" ]; then
  (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_hex(32))' >"$secret_file")
fi
chmod 600 "$secret_file"
STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$secret_file")"
export STREAMLIT_SERVER_COOKIE_SECRET

# haproxy.cfg from the template: one `server` line per process, named s1..sN, with the same
# name as its stickiness cookie value.
servers=""
static_servers=""
for i in $(seq 1 "$replicas"); do
  servers+="    server s$i 127.0.0.1:${ports[$((i - 1))]} cookie s$i"$'\n'
  static_servers+="    server s$i 127.0.0.1:${ports[$((i - 1))]} track normviz/s$i"$'\n'
done
cfg="$run_dir/haproxy.cfg"
NV_ADDRESS="$address" NV_PORT="$port" NV_RUN_DIR="$run_dir" NV_SERVERS="$servers" \
  NV_STATIC_SERVERS="$static_servers" \
  .venv/bin/python - scripts/haproxy.cfg.in "$cfg" <<'PY'
import os, sys
text = open(sys.argv[1]).read()
for key in ("ADDRESS", "PORT", "RUN_DIR", "SERVERS", "STATIC_SERVERS"):
    text = text.replace(f"@{key}@", os.environ[f"NV_{key}"].rstrip("\n"))
open(sys.argv[2], "w").write(text)
PY
"$haproxy_bin" -c -q -f "$cfg"

pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

for i in $(seq 1 "$replicas"); do
  p="${ports[$((i - 1))]}"
  PYTHONUNBUFFERED=1 .venv/bin/python -m streamlit run serve.py \
    --server.address 127.0.0.1 --server.port "$p" --server.headless true \
    --server.fileWatcherType none --browser.gatherUsageStats false \
    "${extra[@]+"${extra[@]}"}" >"$run_dir/s$i.log" 2>&1 &
  pids+=("$!")
  echo "$!" >"$run_dir/s$i.pid"
  echo "run-class: process s$i (pid $!) on 127.0.0.1:$p, log $run_dir/s$i.log"
done

# Start the proxy once every process answers its health check, so the first students never
# meet a 503 while the processes import their libraries.
for i in $(seq 1 "$replicas"); do
  .venv/bin/python - "${ports[$((i - 1))]}" "${pids[$((i - 1))]}" <<'PY'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
end = time.monotonic() + 180
while time.monotonic() < end:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(f"run-class: the process on port {port} exited; see its log")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(f"run-class: the process on port {port} did not answer in 3 min")
PY
done

"$haproxy_bin" -db -f "$cfg" &
pids+=("$!")
echo "$!" >"$run_dir/haproxy.pid"
echo "run-class: HAProxy (pid $!) on http://$address:$port -> $replicas processes;" \
  "admin socket $run_dir/haproxy.sock; Ctrl-C stops everything"
# Wait for the proxy: the class is up as long as it runs. A process that dies is the proxy's
# business (health check, redispatch), so its exit does not end the class.
wait "${pids[-1]}"
