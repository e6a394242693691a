"""Landing page: what each lesson teaches, with a link to it."""

import streamlit as st

from normviz import image_text
from pages._router import ensure_router

ensure_router()

st.title("normviz")
st.markdown(
    "#### Watch normalization and regularization happen on real data\n"
    "Three hands-on lessons. Every statistic on screen is computed live and checked in the "
    "project's tests against an independent reference (PyTorch, Pillow, scikit-image)."
)

LESSONS = [
    (
        "pages/images.py",
        "Image normalization",
        ":material/image:",
        image_text.home_blurb(),
    ),
    (
        "pages/layers.py",
        "Normalization layers",
        ":material/view_in_ar:",
        "BatchNorm, LayerNorm, InstanceNorm and GroupNorm on a 3D tensor, animated: which elements "
        "share one mean and variance, BatchNorm's running statistics, GroupNorm from G=1 "
        "(LayerNorm) to G=C (InstanceNorm), and the (N, T, D) layout of language models.",
    ),
    (
        "pages/lab.py",
        "Regularization lab",
        ":material/model_training:",
        "Train a small PyTorch network live in your browser. Toggle dropout, L1, L2, early "
        "stopping, augmentation and normalization; compare two runs side by side and watch the "
        "loss curves, the decision boundary and the weights move.",
    ),
]

columns = st.columns(len(LESSONS), gap="medium")
for column, (path, title, icon, blurb) in zip(columns, LESSONS, strict=True):
    with column, st.container(border=True, height="stretch"):
        st.subheader(title)
        st.markdown(blurb)
        st.page_link(path, label=f"Open {title.lower()}", icon=icon)

st.divider()
st.markdown(
    "**Where this comes from.** normviz grew from a set of study notes. Some of their statements "
    "are common misconceptions (for example *GroupNorm with one group is BatchNorm*: it is "
    "LayerNorm). The lessons teach the correct version and, where it helps, show the "
    "misconception next to the truth."
)
