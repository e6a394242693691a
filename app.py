"""normviz: the router and frame of the app.

Run with ``streamlit run serve.py`` (this app as Streamlit's ASGI ``st.App``, with the lab's live
stream route; ``streamlit run app.py`` serves every page but the lab's live view cannot follow
its training without that route). This file sets the page config, declares the lessons with
``st.navigation`` and runs the selected one. Everything numeric lives in the ``normviz`` package.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from pages._reconnect import note_lost_session, show_lost_session_notice

st.set_page_config(
    page_title="normviz: normalization and regularization, live",
    page_icon=str(Path(__file__).with_name("assets") / "favicon.png"),
    layout="wide",
    # "auto": open on a desktop, collapsed on a phone (Streamlit's medium breakpoint), where an
    # open sidebar would cover the lesson; the menu button opens it.
    initial_sidebar_state="auto",
)
# Captions carry content here (licences, display ranges, what a number was measured on), but
# Streamlit draws them in its text colour at 60 % opacity: 3.9:1 on white, below the 4.5:1 that
# WCAG AA asks of small text (axe-core's color-contrast rule; tests/e2e/test_accessibility.py).
# At 75 % of the text colour (whatever the theme) they stay lighter than body text and pass.
# A display formula wider than its column was cut at the column's edge (a phone, a 1280x720
# screen at 150 %, the lab's narrow text column). KaTeX sets each top-level piece between
# relations and binary operators in its own box; letting the line wrap breaks a long formula
# there, as TeX would in running text, and leaves one that fits on one line as it was.
st.html(
    "<style>.stApp [data-testid='stCaptionContainer'] { color: inherit; opacity: 0.75; }"
    " .stApp .katex-display > .katex { white-space: normal; }"
    " .stApp .st-key-nv_warm { display: none; }</style>"  # pages/_warm_widgets.py
)

PAGE_TABLE = (
    # script, title, icon, URL path
    ("pages/home.py", "Welcome", ":material/home:", "home"),
    ("pages/images.py", "Image normalization", ":material/image:", "images"),
    ("pages/layers.py", "Normalization layers", ":material/view_in_ar:", "layers"),
    ("pages/lab.py", "Regularization lab", ":material/model_training:", "lab"),
)
PAGES = [
    st.Page(script, title=title, icon=icon, url_path=url, default=url == "home")
    for script, title, icon, url in PAGE_TABLE
]


@st.cache_resource(show_spinner=False)
def preload_torch() -> threading.Thread:
    """Import torch and build one optimizer in the background, once per server process.

    ``import torch`` and the first ``torch.optim`` optimizer cost a few seconds; started after
    the first page has been drawn, they are usually done before a visitor opens the layers
    or lab lesson. Those pages import what they need themselves, so this is only a head start.
    """

    def work() -> None:
        import torch

        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)

    thread = threading.Thread(target=work, name="normviz-preload-torch", daemon=True)
    thread.start()
    return thread


note_lost_session()
page = st.navigation(PAGES, position="sidebar")
with st.sidebar:
    st.caption(
        "normviz teaches normalization and regularization by showing them on real data. "
        "Every number is computed by the normviz package and checked against PyTorch, "
        "Pillow and scikit-image in its tests."
    )
show_lost_session_notice()
page.run()
preload_torch()
