"""Make sure every page runs inside the ``app.py`` router, even on a fresh server's first request.

Streamlit keeps a legacy mode for apps with a ``pages/`` folder: until some session has called
``st.navigation``, the first request runs the requested file from ``pages/`` directly, without
``app.py`` (no page config, a sidebar listing raw file names). A teacher's shared deep link
(``/lab?dropout=0.3``) is often exactly that first request. Each page calls :func:`ensure_router`
first: in legacy mode it switches the legacy mode off and reruns, and the rerun goes through
``app.py``, which resolves the same URL to the same page.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_router() -> None:
    """Rerun through ``app.py`` if Streamlit started this page in its legacy pages-folder mode."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
