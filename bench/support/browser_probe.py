"""Probes of the headless Chromium that a browser benchmark launched: processes, a tab's renderer,
Chromium's Performance metrics, a recorder of the lab's chart updates, a main-thread breakdown.

Used by ``bench_lab_browser.py`` (one lab tab) and ``load_classroom.py`` (a class of Chromium
learners). Nothing here starts a browser or talks to a network: it reads ``/proc`` for the
processes this Python process started, and turns what Chromium's DevTools protocol (CDP) returned
into figures.

- Chromium's processes are the descendants of this process whose executable is Chromium (the
  Playwright driver, ``node``, starts them); a tab's renderer is the one whose CPU time grows
  while the tab runs a busy loop (:func:`find_renderer`), since a renderer's command line does
  not say which tab it serves.
- :data:`RECORDER_JS` is an init script (``context.add_init_script``) that timestamps every
  increment of ``window.liveStats.renders`` inside the live chart's iframe, without polling and
  without ``requestAnimationFrame``: ``window.__liveTimes`` holds epoch milliseconds.
- :func:`main_thread_ms` is ``TaskDuration`` minus ``DevToolsCommandDuration`` of
  ``Performance.getMetrics``: the page's own main-thread time (the page and its same-origin iframe
  share one renderer main thread; what the benchmark's own CDP calls cost is taken out).
- :func:`trace_breakdown` sums a trace's main-thread self time by kind (script per frame and
  file, style, layout, paint, GC, task overhead); :func:`profile_by_url` sums a CPU profile's
  self time per script and per function.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")

RECORDER_JS = """
(() => {
  if (window === window.top || window.__liveTimes) return;
  const times = (window.__liveTimes = []);
  let held;
  const watch = (stats) => {
    if (!stats || typeof stats !== "object") return stats;
    let renders = stats.renders;
    Object.defineProperty(stats, "renders", {
      configurable: true, enumerable: true,
      get: () => renders,
      set: (value) => { if (value !== renders) times.push(Date.now()); renders = value; },
    });
    return stats;
  };
  Object.defineProperty(window, "liveStats", {
    configurable: true, enumerable: true,
    get: () => held,
    set: (value) => { held = watch(value); },
  });
})();
"""
"""Init script: in every child frame, ``window.__liveTimes`` gets ``Date.now()`` each time the
live chart's ``liveStats.renders`` changes (a payload applied). Runs before the frame's scripts."""

DRAIN_JS = "() => (window.__liveTimes || []).splice(0)"
"""Frame script: the update times recorded since the last call (epoch ms), emptied."""

STATS_JS = "() => window.liveStats ? Object.assign({}, window.liveStats) : null"
"""Frame script: a copy of the live chart's counters, or None before live.js ran."""

BUSY_JS = "(ms) => { const t = performance.now(); while (performance.now() - t < ms) {} }"
"""Page script: keep the page's main thread busy for ``ms`` milliseconds."""

LIVE_FRAME = "/component/pages._live_chart.live_chart/"
"""Part of the live chart iframe's URL (Streamlit serves a v1 component under /component/)."""


def live_frame(page):
    """The live chart's iframe of a Playwright ``page`` (sync or async API), or None."""
    return next((f for f in page.frames if LIVE_FRAME in f.url), None)


# -- processes ------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(comm, ppid, CPU seconds) of ``pid`` from /proc, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1 : text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def descendants(root: int | None = None) -> dict[int, str]:
    """Every live descendant of ``root`` (default: this process) as {pid: comm}."""
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = defaultdict(list)
    comms: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            comms[int(entry)] = st[0]
            children[st[1]].append(int(entry))
    out, todo = {}, list(children[root])
    while todo:
        pid = todo.pop()
        out[pid] = comms[pid]
        todo.extend(children[pid])
    return out


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far (0.0 if it is gone)."""
    st = _stat(pid)
    return 0.0 if st is None else st[2]


def rss_of(pid: int) -> float:
    """VmRSS of ``pid`` in MB (0.0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cmdline(pid: int) -> str:
    """The command line of ``pid`` (arguments joined by spaces; "" if it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def is_chromium(comm: str) -> bool:
    """Whether a process name is one of Chromium's processes."""
    return comm.startswith(("chromium", "chrome", "headless_shell"))


def renderers(root: int | None = None) -> list[int]:
    """Pids of the Chromium renderer processes under ``root`` (default: this process)."""
    return [
        pid
        for pid, comm in descendants(root).items()
        if is_chromium(comm) and "--type=renderer" in cmdline(pid)
    ]


def find_renderer(busy: Callable[[int], None], ms: int = 400, tries: int = 4) -> int:
    """The renderer whose CPU time grows most while ``busy(ms)`` keeps a tab busy.

    Parameters
    ----------
    busy : callable
        Runs :data:`BUSY_JS` in the tab for ``ms`` milliseconds, e.g.
        ``lambda ms: page.evaluate(BUSY_JS, ms)``.
    ms : int
        Length of the first busy loop; doubled on each new try.
    tries : int
        A try decides when one renderer gained more than twice any other and at least 20 ms
        (on a loaded machine a niced renderer may get a small share of a core).
    """
    for i in range(tries):
        pids = renderers()
        before = {pid: cpu_of(pid) for pid in pids}
        busy(ms << i)
        gain = sorted(((cpu_of(pid) - before[pid], pid) for pid in pids), reverse=True)
        if gain and gain[0][0] >= 0.02 and (len(gain) == 1 or gain[0][0] > 2 * gain[1][0]):
            return gain[0][1]
    raise RuntimeError(f"no renderer stood out while the tab was busy (CPU s gained: {gain})")


class CpuSplit:
    """CPU seconds of this process's descendants between :meth:`start` and :meth:`stop`, by kind.

    Kinds: "server" (the given server pids and their descendants), "chromium", "playwright
    driver" (``node``), "load generator" (this Python process); a process that started in
    between counts from zero, one that ended in between is lost (its last CPU time unknown).
    """

    def __init__(self, server_pids: Iterable[int]) -> None:
        self.server_pids = list(server_pids)
        self.t0 = 0.0
        self.cpu0: dict[int, float] = {}

    def kinds(self) -> dict[int, str]:
        server = set(self.server_pids)
        for pid in self.server_pids:
            server |= set(descendants(pid))
        out = {}
        for pid, comm in {**descendants(), os.getpid(): "python"}.items():
            if pid in server:
                out[pid] = "server"
            elif is_chromium(comm):
                out[pid] = "chromium"
            elif comm.startswith("node"):
                out[pid] = "playwright driver"
            elif pid == os.getpid():
                out[pid] = "load generator"
        return out

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.cpu0 = {pid: cpu_of(pid) for pid in self.kinds()}

    def stop(self) -> dict[str, float]:
        """Percent of one core per kind since :meth:`start` (2 cores = 200 %)."""
        span = time.monotonic() - self.t0
        out: dict[str, float] = defaultdict(float)
        for pid, kind in self.kinds().items():
            out[kind] += 100 * (cpu_of(pid) - self.cpu0.get(pid, 0.0)) / span
        return dict(out)


# -- the server's log -------------------------------------------------------------------------

SERVER_ERROR = re.compile(
    r"Traceback \(most recent call last\)|Uncaught app (?:execution|exception)"
    r"|^\S+ \S+ (?:ERROR|CRITICAL)\b|^\s*(?:\w+\.)*\w*(?:Error|Exception)\b(?::|$)",
    re.MULTILINE,
)
"""A failure in a Streamlit server log (as ``tests/e2e/conftest.py`` reads it)."""


def log_failures(paths: Iterable[Path]) -> list[str]:
    r"""Lines of the given log files that show a failure (traceback, uncaught exception, ERROR).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
    ...     _ = f.write("ok\nTraceback (most recent call last):\nValueError: bad\n")
    >>> log_failures([Path(f.name)])
    ['Traceback (most recent call last):', 'ValueError: bad']
    """
    out = []
    for path in paths:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        out += [line for line in text.splitlines() if SERVER_ERROR.search(line)]
    return out


# -- Chromium's Performance metrics ---------------------------------------------------------


def metrics(raw: dict) -> dict[str, float]:
    """``Performance.getMetrics``'s answer as {name: value}."""
    return {m["name"]: m["value"] for m in raw["metrics"]}


def main_thread_ms(m: dict[str, float]) -> float:
    """The page's own main-thread time so far, in ms: TaskDuration - DevToolsCommandDuration."""
    return 1000 * (m["TaskDuration"] - m.get("DevToolsCommandDuration", 0.0))


# -- where the main thread's time goes ------------------------------------------------------

TRACE_CATEGORIES = ",".join(
    [
        "toplevel",
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "v8.execute",
        "blink.user_timing",
        "disabled-by-default-v8.gc",
    ]
)
"""Trace categories for :func:`trace_breakdown` (what DevTools' Performance panel records)."""

_KINDS = {
    "style": ("UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet"),
    "layout": ("Layout", "UpdateLayerTree", "IntersectionObserverController::computeIntersections"),
    "paint, composite": ("Paint", "PrePaint", "Layerize", "PaintImage", "CompositeLayers",
                         "Commit", "UpdateLayer", "Decode Image", "ImageDecodeTask"),
    "parse HTML": ("ParseHTML",),
}  # fmt: skip
_SCRIPT = ("FunctionCall", "EvaluateScript", "v8.callFunction", "V8.Execute", "v8.run",
           "RunMicrotasks", "TimerFire", "FireAnimationFrame", "EventDispatch", "v8.compile",
           "V8.ScriptCompiler", "CompileScript", "EvaluateModule", "v8.compileModule",
           "FunctionCall", "v8.produceCache", "CacheScript", "XHRReadyStateChange",
           "XHRLoad", "HandlePostMessage", "SchedulePostMessage")  # fmt: skip


def _kind(name: str) -> str:
    if "GC" in name or name.startswith(("V8.GC", "BlinkGC", "ThreadState")):
        return "GC"
    for kind, names in _KINDS.items():
        if name in names:
            return kind
    if name in _IPC:
        return "IPC receive (mojo: websocket frames, DevTools)"
    return "script" if name in _SCRIPT or name.startswith("v8.") else "task overhead, other"


def script_owner(url: str) -> str:
    """Who a script URL belongs to: "live.js", "uPlot", "Streamlit frontend" or "other".

    Examples
    --------
    >>> script_owner("http://127.0.0.1:1/component/pages._live_chart.live_chart/live.js")
    'live.js'
    >>> script_owner("http://127.0.0.1:1/static/js/index.B1.js"), script_owner("")
    ('Streamlit frontend', 'other')
    """
    if LIVE_FRAME in url and url.endswith("live.js"):
        return "live.js"
    if "uPlot" in url or "uplot" in url:
        return "uPlot"
    if "/static/" in url:
        return "Streamlit frontend"
    return "other"


_IPC = ("Receive mojo message", "SimpleWatcher::OnHandleReady")


def trace_breakdown(events: list[dict]) -> tuple[str, float, dict[str, float]]:
    """Self time on the busiest renderer main thread of a trace, by kind, in ms of thread time.

    Events nest by their wall-clock spans; each event's own time is its thread time (``tdur``,
    else ``dur``) minus its children's, so the figures compare with ``Performance.getMetrics``
    in ``threadTicks``.

    Parameters
    ----------
    events : list of dict
        Trace events (``Tracing.dataCollected``'s ``value`` lists, concatenated).

    Returns
    -------
    thread : str
        "pid:tid" of the renderer main thread (``CrRendererMain``) with the most task time.
    task_ms : float
        Its total top-level task thread time (``RunTask``) in ms.
    kinds : dict of str to float
        Self time in ms per kind: "script: <owner> (<frame>)" where owner is from
        :func:`script_owner` and frame "page" or "iframe", "GC", "style", "layout",
        "paint, composite", "parse HTML", "IPC receive (mojo: ...)", "task overhead, other".
    """
    mains = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }
    by_thread: dict[tuple, list[dict]] = defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in mains and "dur" in e:
            by_thread[(e["pid"], e["tid"])].append(e)
    if not by_thread:
        return "", 0.0, {}

    def task_us(evs: list[dict]) -> float:
        return sum(e.get("tdur", e["dur"]) for e in evs if e["name"] == "RunTask")

    thread = max(by_thread, key=lambda k: task_us(by_thread[k]))
    evs = sorted(by_thread[thread], key=lambda e: (e["ts"], -e["dur"]))
    main_frames = set()  # the top-level frames' ids, as the trace lists them at its start
    for e in events:
        if e.get("name") == "TracingStartedInBrowser":
            frames = e.get("args", {}).get("data", {}).get("frames", [])
            main_frames |= {f["frame"] for f in frames if not f.get("parent")}
    kinds: dict[str, float] = defaultdict(float)
    stack: list[tuple[dict, list[float], str | None]] = []  # event, [child time], script label

    def close(until: float) -> None:
        while stack and stack[-1][0]["ts"] + stack[-1][0]["dur"] <= until:
            ev, child, label = stack.pop()
            own = ev.get("tdur", ev["dur"]) - child[0]
            kind = _kind(ev["name"])
            if kind == "script" and label is not None:
                kind = label
            elif kind == "script":
                kind = "script: unattributed"
            kinds[kind] += own / 1000
            if stack:
                stack[-1][1][0] += ev.get("tdur", ev["dur"])

    for ev in evs:
        close(ev["ts"])
        label = stack[-1][2] if stack else None
        data = ev.get("args", {}).get("data") or {}
        if ev["name"] in ("FunctionCall", "EvaluateScript", "v8.compile") and data.get("url"):
            where = "page" if data.get("frame") in main_frames else "iframe"
            label = f"script: {script_owner(data['url'])} ({where})"
        stack.append((ev, [0.0], label))
    close(float("inf"))
    return f"{thread[0]}:{thread[1]}", task_us(evs) / 1000, dict(kinds)


def profile_by_url(profile: dict, top: int = 12) -> tuple[dict[str, float], list[tuple], list]:
    """Self time of a ``Profiler.stop`` CPU profile, in ms, per script owner and per function;
    inclusive time per script file.

    Returns
    -------
    owners : dict of str to float
        Self time per :func:`script_owner` of the function's URL, plus V8's own nodes
        "(garbage collector)", "(program)" (native work outside JS) and "(idle)".
    functions : list of (ms, function name, file name, line)
        The ``top`` functions by self time.
    files : list of (ms, file name)
        The ``top`` script files by inclusive time: a sample counts for every file on its
        stack, once (e.g. react-dom's time includes the components it renders).
    """
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_us: dict[int, float] = defaultdict(float)
    deltas = profile.get("timeDeltas", [])
    for sample, dt in zip(profile.get("samples", []), [*deltas[1:], 0], strict=False):
        self_us[sample] += dt
    owners: dict[str, float] = defaultdict(float)
    funcs: dict[tuple, float] = defaultdict(float)
    for nid, us in self_us.items():
        frame = nodes[nid]["callFrame"]
        name, url = frame.get("functionName") or "(anonymous)", frame.get("url", "")
        owner = name if name.startswith("(") and not url else script_owner(url)
        owners[owner] += us / 1000
        key = (name, url.rsplit("/", 1)[-1], frame.get("lineNumber", -1) + 1)
        funcs[key] += us / 1000
    ranked = sorted(((ms, *k) for k, ms in funcs.items()), reverse=True)[:top]
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    files: dict[str, float] = defaultdict(float)
    for nid, us in self_us.items():
        seen, node = set(), nid
        while node is not None:
            url = nodes[node]["callFrame"].get("url", "")
            if url and url not in seen:
                seen.add(url)
                files[url.rsplit("/", 1)[-1]] += us / 1000
            node = parent.get(node)
    by_file = sorted(((ms, f) for f, ms in files.items()), reverse=True)[:top]
    return dict(owners), ranked, by_file
