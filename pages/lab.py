"""Regularization lab: train a small PyTorch network live and watch regularization work."""

import streamlit as st

from pages import _lab_lessons as lessons
from pages import _lab_widgets as w
from pages._lab_rerun import setting_changed
from pages._router import ensure_router
from pages._warm_widgets import warm_widgets

ensure_router()

st.title("Regularization lab", anchor="regularization-lab")  # a fixed anchor: no slug per rerun
st.markdown(
    "Train a small PyTorch network on 2D points, live, and watch **dropout**, **L1**, **L2**, "
    "**early stopping**, **input jitter** and **normalization** act on its boundary, its "
    "train/test gap and its weights, alone or side by side. The page address holds the whole "
    "experiment: copy it to share it."
)

w.init_from_url()
notes_slot = st.empty()  # messages about the link, kept until dismissed or a setting changes

# The live view first and the controls beside it on the right: the page's order is the
# reading and Tab order, so on a phone (columns stack) or a projector (LAB_CSS stacks them below
# 1100 px) Start and the charts come first, and a keyboard reaches Start in a few presses.
st.html(w.LAB_CSS)
with st.container(key="lab_layout"):
    main, controls = st.columns([3, 1], gap="medium")
# A newcomer's first run draws the live view and Start; the controls follow with the lessons,
# in the page run the view asks for once it has mounted (see w.controls_in_state).
first_view = not st.session_state.setdefault("lab_drawn", False)
with controls:
    if first_view:
        base = w.controls_in_state()
    else:
        st.button(
            "Reset to defaults", key="lab_defaults", on_click=w.reset_to_defaults,
            icon=":material/restart_alt:", width="stretch",
            help="Every setting of the lab back to its default (training pauses and starts "
            "again from epoch 0); the address loses its settings.",
        )  # fmt: skip
        # A setting's callback applies it and reruns only the live panel and the lessons it
        # changes when the controls look as they did (see pages/_lab_rerun.py).
        base, _ = w.config_controls(on_change=setting_changed)
with main:
    top = st.columns([1, 1])
    top[0].segmented_control(
        "Mode",
        list(w.MODES.values()),
        key="lab_mode",
        required=True,
        label_visibility="collapsed",
        on_change=w.apply_preset,
        **w.held("lab_mode", name="default"),
    )
    compare = st.session_state.lab_mode == "Compare A and B"
    if compare:
        top[1].selectbox(
            "Comparison",
            list(w.PRESETS),
            key="lab_preset",
            on_change=w.apply_preset,
            **w.held("lab_preset", w.PRESETS),
            # Kept while one network is shown: the mode's callback reads it (Streamlit drops a
            # widget's state when it is not drawn, and Compare again then raised a KeyError).
            persist_state="page",
            label_visibility="collapsed",
            help="Each preset trains A and B on the same data and seed, differing only in what "
            "it compares. Choosing a named preset sets the controls to its settings; they then "
            "apply to both runs. Custom takes A from the controls and B from its own.",
        )
    runs = w.run_configs(base, compare, st.session_state.lab_preset)
    w.warm_up()
    w.apply_runs(base, runs)  # the trainers, the address and the link's messages follow
    w.show_notes(notes_slot)
    w.live_panel()  # what to look for in a comparison first: it describes the runs

if not first_view:  # below the fold: a newcomer gets it once the view mounted
    lessons.explain()
    warm_widgets()  # the code boxes' and the study's modules, loaded while the page idles
elif st.session_state.lab_drawn:  # the view said it mounted during this run: controls, lessons
    st.rerun()
else:
    st.caption(w.LESSONS_PENDING)
