"""Run ``streamlit`` with the parts of a lab tick timed (thread CPU time), written as JSON at exit.

Used by ``profile_lab_tick.py``; by hand (loopback only):

    .venv/bin/python -m bench.support.timer OUT.json run serve.py --server.address 127.0.0.1

Unlike cProfile (``bench.support.profiler``), which inflates code made of many small calls
(Streamlit's element bookkeeping, torch's module calls) several times more than the rest, this
wraps only the functions named in :data:`TIMED` with ``time.thread_time`` (the CPU time of the
calling thread: waiting for the GIL or a lock counts for nothing), so each figure is close to its
unprofiled cost. Nested parts are included in their caller's time. Output:
``{name: [seconds, calls]}``.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import logging
import sys
import threading
import time

TIMED = [
    # (name in the output, module, attribute path): functions called by reference at run time
    ("LiveSession.train_once", "normviz.serving.live_stream", "LiveSession.train_once"),
    ("LiveSession.publish", "normviz.serving.live_stream", "LiveSession.publish"),
    ("LiveSession.payload", "normviz.serving.live_stream", "LiveSession.payload"),
    ("encode (json)", "normviz.serving.live_stream", "encode"),
    ("draw", "pages._lab_widgets", "draw"),
    ("live_chart", "pages._lab_widgets", "live_chart"),
    ("live_session", "pages._lab_widgets", "live_session"),
    ("turn enter", "normviz.serving.fairshare", "TakeTurns.__enter__"),
    ("Trainer.run_for", "normviz.training", "Trainer.run_for"),
    ("Trainer.boundary", "normviz.training", "Trainer.boundary"),
    ("Trainer.weights", "normviz.training", "Trainer.weights"),
    ("LiveFeed.payload", "normviz.serving.live_feed", "LiveFeed.payload"),
    ("LiveFeed.hold", "normviz.serving.live_feed", "LiveFeed.hold"),
    ("declare_component", "pages._live_chart", "declare_component"),
    ("component create_instance", "streamlit.components.v1.custom_component",
     "CustomComponent.create_instance"),
    ("st.markdown", "streamlit.elements.markdown", "MarkdownMixin.markdown"),
    ("st.caption", "streamlit.elements.markdown", "MarkdownMixin.caption"),
    ("script run (exec)", "streamlit.runtime.scriptrunner.exec_code",
     "exec_func_with_error_handling"),
]  # fmt: skip
"""What is timed. A streamed update is ``LiveSession.train_once`` and ``LiveSession.publish`` in
the worker thread (methods: replacing the class attributes times every call); a page run calls
``w.draw`` through the module and ``live_chart`` through ``pages._lab_widgets``' globals."""

_lock = threading.Lock()
_totals: dict[str, list[float]] = {}


def _timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent = time.thread_time() - start
            with _lock:
                entry = _totals.setdefault(name, [0.0, 0])
                entry[0] += spent
                entry[1] += 1

    return wrapper


def install() -> None:
    """Replace each function of :data:`TIMED` by its timed wrapper."""
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    for name, module_name, path in TIMED:
        owner = importlib.import_module(module_name)
        *parents, attr = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        setattr(owner, attr, _timed(name, getattr(owner, attr)))
    # Names bound before the patch: point them at the wrappers.
    import streamlit
    from streamlit.runtime.scriptrunner import exec_code, script_runner

    script_runner.exec_func_with_error_handling = exec_code.exec_func_with_error_handling
    streamlit.markdown = streamlit._main.markdown  # st.markdown is a method bound at import
    streamlit.caption = streamlit._main.caption


def _dump(path: str) -> None:
    with _lock, open(path, "w") as f:
        json.dump(_totals, f)


def main() -> None:
    out, args = sys.argv[1], sys.argv[2:]
    install()
    atexit.register(_dump, out)
    sys.argv = ["streamlit", *args]
    from streamlit.web.cli import main as streamlit_main

    streamlit_main()


if __name__ == "__main__":
    main()
