"""Run ``streamlit`` with every thread under cProfile and write the merged stats at exit.

Used by ``load_classroom.py --profile OUT.prof``; by hand (loopback only):

    .venv/bin/python -m bench.support.profiler OUT.prof run app.py --server.address 127.0.0.1

Streamlit runs each script run in its own thread and the web server in the main thread, and
cProfile only sees the thread that enabled it: so ``threading.Thread.run`` is wrapped to
profile every thread, and each finished thread's profile is merged into the output. Read it
with ``python -m pstats OUT.prof`` or :func:`top`. Profiling slows Python code about 2x: trust
the shares, not the absolute times. Times are each thread's CPU time (``time.thread_time``),
so waiting for the GIL or a socket counts for nothing.
"""

from __future__ import annotations

import atexit
import contextlib
import cProfile
import pstats
import sys
import threading
import time

_lock = threading.Lock()
_done: list[cProfile.Profile] = []
_run = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    prof = cProfile.Profile(time.thread_time)
    prof.enable()
    try:
        _run(self)
    finally:
        prof.disable()
        with _lock:
            _done.append(prof)


def _dump(path: str, main: cProfile.Profile) -> None:
    main.disable()
    with _lock:
        stats = pstats.Stats(main)
        for prof in _done:
            with contextlib.suppress(TypeError):  # an empty profile has no stats
                stats.add(prof)
    stats.dump_stats(path)


def top(path: str, n: int = 25, sort: str = "tottime") -> None:
    """Print the ``n`` costliest functions of a merged profile."""
    pstats.Stats(path).sort_stats(sort).print_stats(n)


def main() -> None:
    out, args = sys.argv[1], sys.argv[2:]
    threading.Thread.run = _profiled_run
    main_prof = cProfile.Profile(time.thread_time)
    atexit.register(_dump, out, main_prof)
    main_prof.enable()
    sys.argv = ["streamlit", *args]
    from streamlit.web.cli import main as streamlit_main

    streamlit_main()


if __name__ == "__main__":
    main()
