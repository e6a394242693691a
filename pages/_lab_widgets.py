"""Streamlit helpers of the regularization lab: controls, presets, session state, live view.

Session-state keys start with ``lab_``. The trainers live in ``st.session_state`` (one user's
mutable objects) and in the session's :class:`~normviz.serving.live_stream.LiveSession`, which
the process-wide worker thread trains while it runs and whose stream feeds the live view
(``docs/live-view.md``); the registry finds it by an unguessable token and drops it when this
session's state is freed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
import uuid
from typing import Any

import streamlit as st
import torch
from streamlit.runtime.scriptrunner import get_script_run_ctx

from normviz.lab_changes import compare_caption, ghost_note, restart_notice
from normviz.lab_data import points_in_use_text
from normviz.lab_link import MODES, config_from_controls, control_values, lab_query, parse_link
from normviz.lab_status import busy_text, stop_text
from normviz.lab_text import control_help
from normviz.literal import literal
from normviz.presets import (
    CUSTOM_FIELDS,
    PRESETS,
    applied_configs,
    per_run_fields,
    preset_settings,
)
from normviz.serving.fairshare import LeaseTable, TakeTurns
from normviz.serving.live_feed import Ghost
from normviz.serving.live_stream import LiveSession, ensure_worker, leases, registry, turns
from normviz.serving.warm import warm_optimizers
from normviz.toydata import MAX_SAMPLES, MIN_SAMPLES, PointsError, parse_points_csv
from normviz.train_config import FIELDS
from normviz.training import X_AXES, TrainConfig, Trainer, updates_per_epoch
from pages._held import WRITTEN, begin, fill, held, put_in_callback
from pages._link_notes import show_link_notes
from pages._live_chart import KEY as LIVE_KEY
from pages._live_chart import live_chart

torch.set_num_threads(1)  # one thread per training: a second never helps a tiny MLP

BOUNDARY_RESOLUTION = 48  # cells a side: 2.3 kB a grid; the canvas smooths between cells
LESSONS_PENDING = "Drawing the charts of the lessons below..."
"""Shown in the lessons' place until the live view has mounted (a newcomer's page comes first)."""
CONTROLS_PENDING = "Drawing the controls..."
"""Shown in the controls' place until the live view has mounted (see :func:`controls_in_state`)."""
# Static Plotly charts (the lessons below the live view): Plotly's interaction layers are not
# needed there, and a static plot mounts faster.
CHART = {"theme": None, "config": {"displayModeBar": False, "staticPlot": True}}

LAB_CSS = """<style>
@media (max-height: 600px) {  /* a projector at 150 %: the live view above the fold */
  [data-testid="stMainBlockContainer"] { padding-top: 4rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding-top: 0; }
}
@media (max-width: 1100px) {
  .st-key-lab_layout > div > [data-testid="stHorizontalBlock"],
  .st-key-lab_layout > [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
  .st-key-lab_layout > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"],
  .st-key-lab_layout > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important;
  }
}
</style>"""
"""Narrow screens (a projector at 150 %, a tablet) stack the controls below the live view;
short ones (a projector at 150 %: 480 CSS px high) shrink the title's room."""

BOUNDARY_KEY = (
    "Background: the network's probability of class 1, orange (class 0) through white (0.5, "
    "the decision boundary) to blue (class 1). Dots: the points in their true class colour, "
    "training points with a white edge, test points with a black one."
)
LIVE_SID = "lab_live_sid"
"""The live session whose feed the view was last sent (a payload of what changed is for it)."""
SHORTCUTS = {"start": "S", "pause": "P", "step": "N"}
"""Keyboard shortcuts of the Start, Pause and Step buttons (Streamlit shows them on the button)."""


def lease_table() -> LeaseTable:
    """Return the process-wide table of training places (``normviz.serving.live_stream``)."""
    return leases()


def tick_lock() -> TakeTurns:
    """Return the process-wide turn that live updates and the studies' slices take in order.

    The worker thread takes it for each session's update, and a batch-size study for each of
    its slices: a study never holds the CPU for long while a class trains, and turns are first
    come, first served, so no one is passed over.
    """
    return turns()


@st.cache_resource(show_spinner="Loading PyTorch's optimizers (once per server start)...")
def warm_up() -> float:
    """Create and step one throwaway Trainer per optimizer, once per process; return seconds.

    The first ``torch.optim`` optimizer of a process imports ``torch._dynamo`` (1.5 to 3.5 s)
    and the first fused Adam step loads its kernel. Doing it here, cached for the process,
    makes that cost visible as one spinner for the first visitor instead of a silent stall
    inside the first training, and no later visitor pays it.
    """
    start = time.perf_counter()
    warm_optimizers()  # already done by serve.py before it served; the cost then is ~ms
    return time.perf_counter() - start


class _Owner:
    """Held only by one browser session's state: when Streamlit frees it, its live session goes."""


def live_session() -> LiveSession:
    """Return this browser session's live session (its trainers, running flag and stream).

    Made on first use and registered under an unguessable token (``lab_sid``); the registry
    drops it when Streamlit frees this session's state (``lab_owner``). A session the registry
    dropped (idle for long) is made again with the same trainers, paused.
    """
    ss = st.session_state
    session = registry().get(ss.get("lab_sid", ""))
    if session is None:
        owner = ss.get("lab_owner")
        if owner is None:
            owner = ss.lab_owner = _Owner()
        session = registry().create(owner, BOUNDARY_RESOLUTION)
        ss.lab_sid = session.token
        if ss.get("lab_trainers"):
            session.replace(ss.lab_trainers, ss.lab_labels, ss.lab_tokens, ss.get("lab_ghosts"))
        ss.lab_running = False
    ensure_worker()
    return session


def session_id() -> str:
    """Return this browser session's opaque id (its live session's token)."""
    return live_session().token


def sync_running() -> bool:
    """Take the running state from the live session (a run may have stopped by itself)."""
    ss = st.session_state
    session = live_session()
    ss.lab_running = session.running
    if session.stopped_by == "busy" and not session.running:
        ss.lab_busy = busy_text(lease_table().active(time.monotonic()), retry=False)
        session.stopped_by = None
    return session.running


@st.cache_data(max_entries=16, show_spinner=False)
def _parse_csv(digest: str, _data: bytes) -> Any:
    return parse_points_csv(_data)


def uploaded_points() -> Any:
    """Draw the CSV uploader; return its Dataset, or None (showing the file's problem, if any).

    The uploader's key carries a version: "Use a generated dataset" (:func:`drop_points`) moves
    to a new, empty uploader, since a file uploader cannot be emptied from code.
    """
    version = st.session_state.setdefault("lab_csv_version", 0)
    up = st.file_uploader(
        "Your own points (CSV)",
        type=["csv", "txt"],
        key=f"lab_csv_{version}" if version else "lab_csv",
        help=f"Columns x, y, label (header optional); two classes; {MIN_SAMPLES} to "
        f"{MAX_SAMPLES} rows. Points are standardized into the same range as the built-in "
        "datasets.",
    )
    if up is None:
        return None
    data = up.getvalue()
    try:
        return _parse_csv(hashlib.sha256(data).hexdigest(), data)
    except PointsError as err:  # it may quote the file's text: shown literally
        st.session_state[PAGE_ERRORS] = True
        st.error(literal(str(err)), icon=":material/error:")
        return None


def drop_points() -> None:
    """The "Use a generated dataset" button: a new, empty uploader; the dataset controls return."""
    ss = st.session_state
    ss.lab_csv_version = ss.get("lab_csv_version", 0) + 1


# -- configuration <-> widgets <-> URL -------------------------------------------------------


NOTES = "lab_link_notes"  # the messages about the link, shown until dismissed or a change
NOTES_AT = "lab_link_at"  # the settings' query when the messages were made
MODE_OF = {label: mode for mode, label in MODES.items()}  # the control's label -> URL value
VIEW_DEFAULTS = {
    "lab_mode": MODES["one"],
    "lab_preset": next(iter(PRESETS)),
    "lab_x_axis": next(iter(X_AXES)),
}
"""The state of the controls that choose what is trained and shown, not a run's settings."""


def init_from_url() -> None:
    """Fill the widgets' state: from the URL on a session's first run, else from the last config.

    Streamlit drops a widget's state when its page is not shown, so the state is refilled from
    ``lab_cfg`` when the user comes back to the lab. A bad value in the link becomes a message
    in ``lab_link_notes`` that stays until dismissed or until a setting changes
    (:func:`keep_notes`); rewriting the URL never clears it.
    """
    ss = st.session_state
    begin()
    if "lab_cfg" not in ss:
        link = parse_link(st.query_params.to_dict())
        ss.lab_cfg, ss[NOTES] = link.config, link.notes
        ss.lab_mode, ss.lab_preset, ss.lab_x_axis = MODES[link.mode], link.preset, link.x_axis
        ss.lab_running = False
        ss[WRITTEN].update(VIEW_DEFAULTS)  # see held
    for key, value in {**VIEW_DEFAULTS, **control_values(ss.lab_cfg)}.items():
        fill(key, value)


def apply_preset() -> None:
    """The preset choice's and the mode's callback: a named preset sets the shared controls.

    The controls then show exactly what both runs train (their settings, seed kept, plus the
    preset's per-run difference); the URL follows on the next run.
    """
    ss = st.session_state
    if ss.get("lab_mode") != MODES["compare"] or ss.get("lab_preset") == "Custom":
        return
    ss.lab_cfg = dataclasses.replace(ss.lab_cfg, **preset_settings(ss.lab_preset))
    for key, value in control_values(ss.lab_cfg).items():
        put_in_callback(key, value)


def keep_notes(query: dict[str, str]) -> None:
    """Clear the link's messages once the settings' ``query`` differs from the link's."""
    ss = st.session_state
    at = ss.setdefault(NOTES_AT, query)
    if at != query:
        ss[NOTES] = []
        ss[NOTES_AT] = query


def show_notes(slot) -> None:
    """Draw the pending messages about the link in ``slot``, with a Dismiss button."""
    show_link_notes(slot, NOTES, "lab")


def reset_to_defaults() -> None:
    """The "Reset to defaults" button: every setting to TrainConfig's default, messages cleared.

    Training pauses and the trainers go (the next run builds the default run, paused); the next
    run writes the defaults' query, which is empty: the URL loses its parameters. An uploaded
    CSV stays (a file uploader cannot be emptied from code). Only the controls that differ from
    their default are written (:func:`~pages._held.put_in_callback`): the others are drawn as
    they were.
    """
    pause()
    ss = st.session_state
    ss.pop("lab_trainers", None)
    ss.pop("lab_key", None)
    for name in CUSTOM_FIELDS:
        ss.pop(f"lab_b_{name}", None)  # run B's own controls: refilled from run A (custom_b)
    for key, value in {**VIEW_DEFAULTS, **control_values(TrainConfig())}.items():
        put_in_callback(key, value)
    ss.lab_cfg = TrainConfig()
    ss[NOTES] = []
    ss.pop(NOTES_AT, None)


def url_params(cfg: TrainConfig) -> dict[str, str]:
    """Return the URL query of the lab's state: the config, mode and preset, the curves' axis."""
    ss = st.session_state
    axis = ss.get("lab_x_axis") or VIEW_DEFAULTS["lab_x_axis"]
    return lab_query(cfg, MODE_OF[ss.lab_mode], ss.lab_preset, axis)


# -- the controls: label, span, step, options and help from the field table -------------------


def _span(name: str) -> dict[str, Any]:
    """A slider's or number input's ``min_value``, ``max_value`` and ``step`` from its row."""
    f = FIELDS[name]
    cast = float if f.kind == "float" else int
    lo, hi = f.widget_bounds()
    span = {"min_value": cast(lo), "max_value": cast(hi)}
    return span if f.step is None else {**span, "step": cast(f.step)}


def _slider(name: str, helps: dict[str, str], **kw: Any) -> None:
    key = f"lab_{name}"
    st.slider(FIELDS[name].label, **_span(name), key=key, **held(key), help=helps[name], **kw)


SELECT_SLIDERS = tuple(name for name, f in FIELDS.items() if f.widget == "select_slider")
"""The settings drawn as select sliders (their FIELDS row says so): their options follow the
value they hold."""


def _options(name: str) -> list:
    return FIELDS[name].widget_options(st.session_state[f"lab_{name}"])


def _select_slider(name: str, helps: dict[str, str], **kw: Any) -> None:
    key = f"lab_{name}"
    st.select_slider(
        FIELDS[name].label, _options(name), key=key, **held(key), help=helps.get(name), **kw
    )


def _choice(name: str, helps: dict[str, str], **kw: Any) -> None:
    key, f = f"lab_{name}", FIELDS[name]
    widget = st.radio if f.widget == "radio" else st.selectbox
    if f.widget == "radio":
        kw = {"horizontal": True, "format_func": lambda c: c.replace("_", " "), **kw}
    widget(f.label, f.choices, key=key, **held(key, f.choices), help=helps.get(name), **kw)


def _dataset_controls(helps: dict[str, str], **kw: Any) -> None:
    """The generated dataset's controls: which dataset, its noise and how many points."""
    _choice("dataset", helps, **kw)
    _slider("noise", helps, **kw)
    _slider("n_samples", helps, **kw)


LOOK = "lab_controls_look"
"""What the last page run drew in the controls besides their values (:func:`controls_look`)."""
PAGE_ERRORS = "lab_page_errors"
"""Whether the last page run showed an error about a setting (a setting's change then runs the
page: the error goes or moves)."""
POINTS = "lab_points"  # the uploaded points in use (None: a generated dataset), and their digest
POINTS_DIGEST = "lab_points_digest"


def controls_look(cfg: TrainConfig) -> tuple:
    """Return what the controls show besides their values, for the controls' config ``cfg``.

    Their help texts (the L1 method's), the
    settings a preset pins, whether the patience is enabled, the select sliders' options and
    an uploaded file's summary. A setting whose change leaves this as it was needs no page run
    (:mod:`pages._lab_rerun`).
    """
    ss = st.session_state
    now = dataclasses.replace(cfg, l1_method=ss.lab_l1_method)
    # In compare mode a named preset sets these per run: their shared control would mislead.
    pinned = per_run_fields(ss.lab_preset) if ss.lab_mode == MODES["compare"] else ()
    points = ss.get(POINTS)
    in_use = None
    if points is not None:
        in_use = points_in_use_text(points, ss.lab_test_fraction, int(ss.lab_seed))
    options = tuple(tuple(_options(name)) for name in SELECT_SLIDERS)
    return (control_help(now), tuple(pinned), bool(ss.lab_es_on), options, in_use)


def _keep_points_and_look(points: Any) -> tuple:
    """Keep the points in use (:data:`POINTS`, None for a generated dataset, and their digest)
    and the controls' look for the config before this run (:data:`LOOK`); return the look.

    The look's help texts come from the config they describe: the L1 method chosen now.
    """
    ss = st.session_state
    ss[POINTS] = points
    ss[POINTS_DIGEST] = "" if points is None else hashlib.sha256(points.x.tobytes()).hexdigest()
    look = ss[LOOK] = controls_look(ss.lab_cfg)
    return look


def controls_in_state() -> TrainConfig:
    """Return the settings a newcomer's first page run trains, drawing a caption, no control.

    The first page run of a session (``lab_drawn`` False) draws the live view and Start, and
    leaves the controls to the page run that the view asks for once it has mounted, as it does
    the lessons: drawing the ~20 controls first (a dozen kinds of widget, each loaded and
    rendered by the browser for the first time) cost ~1 s of the lab's first view in Chromium.
    The settings are the controls' state as :func:`init_from_url` filled it (from the link or
    the last config); what :func:`config_controls` keeps is kept the same way (:data:`LOOK`, no
    uploaded points: a new session has none, no error).
    """
    ss = st.session_state
    ss[PAGE_ERRORS] = False
    _keep_points_and_look(None)
    with contextlib.suppress(TypeError, ValueError):  # the controls' run shows it at its field
        ss.lab_cfg = config_from_controls(ss)
    st.caption(CONTROLS_PENDING)
    return ss.lab_cfg


def config_controls(on_change: Any = None) -> tuple[TrainConfig, Any]:
    """Draw the controls; return the configuration (the last valid one on error) and the
    uploaded points (None for a generated dataset).

    Every control's label, span, step, options and help come from its row of
    :data:`~normviz.train_config.FIELDS`. An uploaded CSV replaces the dataset, noise and points
    controls with what is in use and a way back; an invalid entry shows its error right under
    its field. ``on_change`` is every setting's callback. What was drawn besides the values is
    kept under :data:`LOOK`, the uploaded points under :data:`POINTS` and whether an error
    showed under :data:`PAGE_ERRORS`.
    """
    ss = st.session_state
    with st.container(border=True):
        st.markdown("**Data**")
        ss[PAGE_ERRORS] = False
        points = uploaded_points()
        look = _keep_points_and_look(points)
        helps, pinned = look[0], look[1]
        kw = {"on_change": on_change}
        if points is None:
            _dataset_controls(helps, **kw)
        else:
            st.markdown(look[4])
            st.button(
                "Use a generated dataset",
                key="lab_csv_drop",
                on_click=drop_points,
                icon=":material/dataset:",
                help="Forget the uploaded file and train on the dataset chosen here again.",
            )
        _slider("test_fraction", helps, **kw)
        f = FIELDS["seed"]
        st.number_input(
            f.label, **_span("seed"), key="lab_seed", **held("lab_seed"), help=helps["seed"], **kw
        )
    with st.container(border=True):
        st.markdown("**Network**")
        f = FIELDS["hidden"]
        st.text_input(f.label, key="lab_hidden", **held("lab_hidden"), help=helps["hidden"], **kw)
        error = None
        try:
            f.parse(str(ss.lab_hidden))
        except ValueError as err:  # right under its field, where the eye is
            error = str(err)
            ss[PAGE_ERRORS] = True
            st.error(f"Setting not applied: {error}", icon=":material/error:")
        _choice("activation", helps, **kw)
        _choice("norm", helps, **kw, disabled="norm" in pinned)
        _choice("norm_position", helps, **kw, disabled="norm_position" in pinned)
    with st.container(border=True):
        st.markdown("**Regularization**")
        _slider("dropout", helps, **kw, disabled="dropout" in pinned)
        _select_slider("l1", helps, **kw, disabled="l1" in pinned)
        _choice("l1_method", helps, **kw, disabled="l1_method" in pinned)
        _select_slider("l2", helps, **kw, disabled="l2" in pinned)
        _slider("augmentation", helps, **kw)
        st.toggle(
            "Early stopping",
            key="lab_es_on",
            **held("lab_es_on"),
            help=helps["early_stopping_patience"],
            **kw,
        )
        f = FIELDS["early_stopping_patience"]
        st.number_input(
            f.label,
            **_span("early_stopping_patience"),
            key="lab_early_stopping_patience",
            **held("lab_early_stopping_patience"),
            disabled=not ss.lab_es_on,
            **kw,
        )
    with st.container(border=True):
        st.markdown("**Optimizer**")
        _choice("optimizer", helps, **kw, disabled="optimizer" in pinned)
        _select_slider("lr", helps, **kw)
        _select_slider("batch_size", helps, **kw, disabled="batch_size" in pinned)
        f = FIELDS["max_epochs"]
        st.number_input(
            f.label,
            **_span("max_epochs"),
            key="lab_max_epochs",
            **held("lab_max_epochs"),
            help=helps["max_epochs"],
            **kw,
        )
    if error is None:
        try:
            ss.lab_cfg = config_from_controls(ss)
        except (TypeError, ValueError) as err:  # TrainConfig: TypeError for a type, else Value
            ss[PAGE_ERRORS] = True
            st.error(f"Setting not applied: {err}", icon=":material/error:")
    return ss.lab_cfg, points


def custom_b(base: TrainConfig) -> dict:
    """Draw the controls of run B in the Custom preset and return its overrides."""
    ss = st.session_state
    for name in CUSTOM_FIELDS:
        fill(f"lab_b_{name}", getattr(base, name))
    b = "lab_b_"

    def options(name: str) -> list:
        return FIELDS[name].widget_options(ss[b + name])

    def choices(name: str) -> tuple[str, ...]:
        return FIELDS[name].choices

    cols = st.columns(4)
    cols[0].slider("B dropout", **_span("dropout"), key=b + "dropout", **held(b + "dropout"))
    cols[1].select_slider("B L1", options("l1"), key=b + "l1", **held(b + "l1"))
    cols[2].select_slider("B L2", options("l2"), key=b + "l2", **held(b + "l2"))
    cols[3].selectbox(
        "B normalization", choices("norm"), key=b + "norm", **held(b + "norm", choices("norm"))
    )
    cols = st.columns(4)
    cols[0].select_slider(
        "B batch", options("batch_size"), key=b + "batch_size", **held(b + "batch_size")
    )
    cols[1].select_slider("B learning rate", options("lr"), key=b + "lr", **held(b + "lr"))
    cols[2].selectbox(
        "B optimizer",
        choices("optimizer"),
        key=b + "optimizer",
        **held(b + "optimizer", choices("optimizer")),
    )
    cols[3].selectbox(
        "B L1 method",
        choices("l1_method"),
        key=b + "l1_method",
        **held(b + "l1_method", choices("l1_method")),
    )
    return {name: ss[f"lab_b_{name}"] for name in CUSTOM_FIELDS}


def run_configs(base: TrainConfig, compare: bool, preset: str) -> list[tuple[str, TrainConfig]]:
    """Return the labelled configs to train: just the base, or A and B of a preset.

    A preset's runs come from :func:`normviz.presets.applied_configs`: the controls with the
    preset's per-run settings on top (the controls hold the preset's settings once it is
    chosen: the configs its
    "what to look for" text describes and its tests train.
    """
    if not compare:
        return [("", base)]
    b = custom_b(base) if preset == "Custom" else None
    try:
        return applied_configs(preset, base, b)
    except (TypeError, ValueError) as err:  # TrainConfig: TypeError for a type, else ValueError
        st.session_state[PAGE_ERRORS] = True
        st.error(f"Run B not applied: {err}", icon=":material/error:")
        p = PRESETS[preset]
        return [("A", dataclasses.replace(base, **{**p.common, **p.a}))]


def runs_in_state(base: TrainConfig) -> list[tuple[str, TrainConfig]]:
    """Return the labelled configs to train, as :func:`run_configs` does, drawing nothing.

    Raises
    ------
    TypeError, ValueError
        Run B's settings in the Custom preset are invalid (a page run shows why).
    """
    ss = st.session_state
    if ss.lab_mode != MODES["compare"]:
        return [("", base)]
    b = None
    if ss.lab_preset == "Custom":
        b = {name: ss[f"lab_b_{name}"] for name in CUSTOM_FIELDS}
    return applied_configs(ss.lab_preset, base, b)


def apply_runs(base: TrainConfig, runs: list[tuple[str, TrainConfig]]) -> list[Trainer]:
    """Train ``runs`` (the controls' config ``base``) from now on; the address follows.

    What every page run does once the controls are read, and what a setting's callback does
    before it reruns only the live panel and the lessons (:mod:`pages._lab_rerun`): the
    trainers follow (:func:`sync_trainers`), ``lab_runs`` holds the runs, the URL's query holds
    the experiment and the link's messages go once it differs from the link's.
    """
    ss = st.session_state
    ss.lab_runs = runs
    trainers = sync_trainers(runs, ss.get(POINTS), ss.get(POINTS_DIGEST, ""))
    query = url_params(base)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    keep_notes(query)
    return trainers


def sync_trainers(runs: list[tuple[str, TrainConfig]], data: Any, digest: str) -> list[Trainer]:
    """Return the session's trainers after the settings changed (or as they are).

    Settings in :data:`~normviz.training.LIVE_FIELDS` change the running trainers from the next
    update on, and each change is marked on the curves. Any other change, new data, or a
    change to a stopped run builds new trainers from epoch 0, keeps the running/paused state,
    states why (``lab_notices``) and keeps the replaced runs' histories to draw faint
    (``lab_ghosts``). A new mode or comparison, Reset and "Reset to defaults" start clean.
    """
    ss = st.session_state
    key = (tuple(runs), digest)
    old = ss.get("lab_trainers")
    if ss.get("lab_key") == key and old is not None:
        return old
    labels = [label for label, _ in runs]
    same_runs = old is not None and ss.get("lab_labels") == labels
    pairs = list(zip(old or [], runs, strict=False))
    session = live_session()
    with session.lock:  # the worker trains these trainers between two page runs
        if (
            same_runs
            and ss.get("lab_digest") == digest
            and all(t.can_reconfigure(cfg) for t, (_, cfg) in pairs)
        ):
            for t, (_, cfg) in pairs:
                t.reconfigure(cfg)
            ss.lab_key = key
            return old
    notices, ghosts = [], {}
    if same_runs:
        for t, (label, cfg) in zip(old, runs, strict=True):
            notice = restart_notice(
                t.config,
                cfg,
                label,
                stopped=t.stopped is not None,
                data_changed=ss.get("lab_digest") != digest,
            )
            if notice and len(t.history) > 1:  # a run that never trained leaves no ghost
                notices.append(notice)
                ghosts[label] = Ghost(t.history, ghost_note(t.config, cfg))
    ss.lab_trainers = [Trainer(cfg, data) for _, cfg in runs]
    ss.lab_labels = labels
    ss.lab_tokens = [uuid.uuid4().hex[:12] for _ in runs]  # the live view's run ids
    ss.lab_key = key
    ss.lab_digest = digest
    ss.lab_notices = notices
    ss.lab_ghosts = ghosts
    session.replace(ss.lab_trainers, labels, ss.lab_tokens, ghosts)
    if not notices:  # a deliberate new start (mode, comparison, reset): paused at epoch 0
        pause()
    return ss.lab_trainers


# -- buttons --------------------------------------------------------------------------------


def start() -> None:
    """The Start button: train from the next update on, if the server has a place free."""
    ss = st.session_state
    if live_session().start():
        ss.lab_running = True
        ss.lab_busy = None
    else:
        ss.lab_running = False
        ss.lab_busy = busy_text(lease_table().active(time.monotonic()))


def pause() -> None:
    """The Pause button: stop training after the update in progress."""
    live_session().pause()
    st.session_state.lab_running = False


def step_epoch() -> None:
    """The Step button: pause, then train every run exactly one epoch."""
    st.session_state.lab_running = False
    live_session().step(lambda t: updates_per_epoch(len(t.train.y), t.config.batch_size))


def reset() -> None:
    """The Reset button: pause; the next page run builds the runs again from epoch 0."""
    pause()
    st.session_state.pop("lab_trainers", None)


# -- the live view ---------------------------------------------------------------------------


def x_axis_control() -> None:
    """Draw the choice of the curves' x axis: epochs, updates or samples seen."""
    st.radio(
        "Curves against",
        list(X_AXES),
        key="lab_x_axis",
        **held("lab_x_axis", X_AXES),
        format_func=X_AXES.get,
        horizontal=True,
        help="Compare runs at equal epochs, at equal updates (optimizer steps), or at equal "
        "training samples processed. Batch sizes differ in updates per epoch.",
    )


def alone() -> bool:
    """Whether this script run is a fragment's rerun alone (not a run of the whole page)."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


LIVE_PANEL = "lab_live_panel"
"""The live panel's fragment key (a setting's callback reruns it by name)."""


@st.fragment(key=LIVE_PANEL)
def live_panel() -> None:
    """Draw the run buttons, the notices, the live view and the curves' axis: one fragment.

    Start, Pause, Step, the curves' axis and the view's own requests (it mounted, a run stopped
    by itself) rerun this panel alone, not the page with its ~70 controls and the lessons: none
    of them changes a setting. What must change outside it makes the whole page run again:
    Reset (the page builds the runs again), the view's first "ready" (the lessons follow), an
    address change while the link's messages show (they go). A setting whose change leaves the
    controls' look as it was reruns this panel and the lessons it changes, by their keys, once
    its callback applied it (:mod:`pages._lab_rerun`): all is read from the session's state
    (``lab_cfg``, ``lab_runs``, ``lab_trainers``), never from a page run's arguments.

    First, always there (empty with one network), what to look for in the comparison: it
    describes the runs trained.
    """
    ss = st.session_state
    by_itself = alone()
    look_for = st.empty()  # elements that come and go above the view would move it
    runs = ss.get("lab_runs") or []
    if ss.lab_mode == MODES["compare"] and len(runs) == 2:
        (_, a), (_, b) = runs
        look_for.caption(compare_caption(ss.lab_preset, a, b, ss.lab_cfg))
    if by_itself and ss.get("lab_trainers") is None:  # Reset: the page builds the runs again
        st.rerun(scope="app")
    running = sync_running()
    buttons = st.columns(4)
    buttons[0].button(
        "Start",
        key="lab_start",
        on_click=start,
        icon=":material/play_arrow:",
        type="primary",
        disabled=running,
        shortcut=SHORTCUTS["start"],
        width="stretch",
    )
    buttons[1].button(
        "Pause",
        key="lab_pause",
        on_click=pause,
        icon=":material/pause:",
        disabled=not running,
        shortcut=SHORTCUTS["pause"],
        width="stretch",
    )
    buttons[2].button(
        "Step",
        help="Train exactly one epoch, then pause.",
        key="lab_step",
        on_click=step_epoch,
        icon=":material/skip_next:",
        shortcut=SHORTCUTS["step"],
        width="stretch",
    )
    buttons[3].button(
        "Reset", key="lab_reset", on_click=reset, icon=":material/replay:", width="stretch"
    )
    if by_itself:  # the curves' axis is in the address too
        query = url_params(ss.lab_cfg)
        if st.query_params.to_dict() != query:
            if ss.get(NOTES):  # the link's messages go with the change: the page redraws them
                st.rerun(scope="app")
            st.query_params.from_dict(query)
            keep_notes(query)
    with st.container():  # always there: the live view keeps its place
        if ss.get("lab_busy"):
            st.warning(ss.lab_busy, icon=":material/hourglass_top:")
        for notice in ss.get("lab_notices") or []:  # why the run restarted
            st.info(notice, icon=":material/restart_alt:")
    # No timer: the live view follows its session's stream while it trains, and this panel
    # runs only on a user's action (or when the view asks: it mounted, a run stopped).
    drawn = ss.lab_drawn
    draw(ss.lab_trainers, ss.lab_labels, running)
    st.caption(BOUNDARY_KEY)
    x_axis_control()  # under the curves it sets
    if by_itself and ss.lab_drawn and not drawn:  # the view mounted: the lessons follow
        st.rerun(scope="app")


def draw(trainers: list[Trainer], labels: list[str], running: bool) -> None:
    """Draw the live chart surface (sent what it lacks) and the stopped runs' messages.

    ``running`` is what this page run's buttons show (:func:`sync_running`, read before them),
    not the session's flag now: the worker may stop a run in between (an epoch limit reached
    within the page run), and the view must then see "shown running, streamed stopped" to ask
    for the page run that brings Start back.

    The surface then follows the session's stream by itself while it trains (no page rerun);
    its status lines come in its payloads. It asks for a page run when it has mounted (a
    newcomer's lessons follow, ``lab_drawn``) and when a run stopped by itself.
    """
    ss = st.session_state
    session = live_session()
    session.x_axis = ss.get("lab_x_axis") or "epoch"
    session.touch()
    # A view drawn by an earlier run of this page holds what its payloads and its stream sent:
    # it gets what changed (its gap requests answered from what it says it holds). A view new
    # to this page (first run, back from another lesson) gets the whole history. A view that
    # holds less than the feed believes asks again, or reopens its stream with what it holds.
    mounted = ss.get(LIVE_SID) == session.token and LIVE_KEY in ss
    with session.lock:
        if mounted:
            session.feed.answer(ss.get(LIVE_KEY))
        payload = session.payload(full=not mounted, alt=True)
    ss[LIVE_SID] = session.token
    reply = live_chart(payload, session.token, running=running, drawn=ss.lab_drawn)
    if isinstance(reply, dict) and reply.get("ready"):
        ss.lab_drawn = True
    for t, lab in zip(trainers, labels, strict=True):
        if t.stopped is not None:
            kind = {"early_stopping": st.success, "diverged": st.error}.get(
                t.stopped.reason, st.info
            )
            kind(stop_text(t.stopped.message, lab))
