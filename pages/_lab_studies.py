"""The lab's on-request studies: the dropout check and the batch-size study (BN, GN, LN).

The batch-size study trains 3 x len(batch sizes) networks: seconds of CPU. It runs only when
asked, in slices that take turns with the live ticks of every session on the process-wide
:func:`~pages._lab_widgets.tick_lock`, one study at a time per process, and its results are
kept in a small process-wide cache keyed by everything that decides them.
"""

from __future__ import annotations

import streamlit as st

from normviz.figures import lab as figs
from normviz.figures.table_html import table_html
from normviz.lab_studies import (
    DROPOUT_KS,
    MAX_STUDY_UPDATES,
    STUDY_BATCHES,
    STUDY_CONFIG,
    STUDY_DEFAULT_BATCHES,
    STUDY_EPOCHS,
    STUDY_NORMS,
    STUDY_SLICE_UPDATES,
    BatchSizeStudy,
    DropoutCheck,
    StudyInBackground,
    StudyKey,
    describe_config,
    dropout_check,
    dropout_check_caption,
    dropout_check_config,
    dropout_check_rows,
    dropout_check_text,
    iter_batch_size_study,
    study_caption,
    study_key,
    study_rows,
    study_summary,
)
from normviz.serving.fairshare import ResultBoard as StudyBoard
from normviz.serving.live_stream import turns
from normviz.training import TrainConfig
from pages import _lab_widgets as w
from pages._lab_rerun import stamped

__all__ = [  # the study's constants and pure helpers, re-exported for the page's tests
    "DROPOUT_KS",
    "STUDY_NORMS",
    "STUDY_SLICE_UPDATES",
    "StudyBoard",
    "batch_size_section",
    "dropout_section",
    "prepared_study",
    "run_study",
    "study_board",
    "study_key",
]

STUDY_BASES = {
    "study": "The study's network and data (moons)",
    "controls": "My controls' network and data",
}
STUDY_CACHE_ENTRIES = 8
DEFAULT_STUDY = study_key(STUDY_CONFIG, STUDY_DEFAULT_BATCHES, STUDY_EPOCHS)
"""The study the section opens with: prepared in the background, so its Run answers at once."""
PREPARE_DELAY_S = 3.0  # after the lessons first drew: the first view settles before it starts
PREPARE_REST = 0.5  # rest half as long as each slice took: two thirds of a core at most
GATE_WAIT_S = 0.5  # a visitor's study waits this long for the gate (a background slice ends)


@st.cache_resource(show_spinner=False)
def study_board() -> StudyBoard:
    """Return the one process-wide :class:`StudyBoard`."""
    return StudyBoard(STUDY_CACHE_ENTRIES)


@st.cache_resource(show_spinner=False)
def prepared_study() -> StudyInBackground:
    """Start computing the default study on a thread of its own, once per process.

    Called when the lessons are drawn (after a visitor's live view mounted); the thread waits
    :data:`PREPARE_DELAY_S`, then trains slice by slice at low priority, each slice holding the
    process's study gate and taking its turn on the live ticks' lock. Its result is shown when
    someone asks for that study (never before): see :func:`wait_prepared`.
    """
    return StudyInBackground(
        DEFAULT_STUDY,
        STUDY_NORMS,
        gate=study_board().gate,
        turns=turns(),
        slice_updates=STUDY_SLICE_UPDATES,
        delay_s=PREPARE_DELAY_S,
        rest=PREPARE_REST,
    ).start()


def wait_prepared(job: StudyInBackground) -> BatchSizeStudy | None:
    """Return the prepared study, showing its progress while it finishes; None if it failed."""
    if not job.done.is_set():
        job.hurry()
        bar = st.progress(job.fraction, text="Training the study's networks...")
        while not job.done.wait(0.1):
            bar.progress(job.fraction, text=f"Training the study's networks: {job.fraction:.0%}")
        bar.empty()
    if job.result is not None:
        study_board().put(job.key, job.result)
    return job.result


def run_study(key: StudyKey) -> BatchSizeStudy | None:
    """Run the study of ``key`` with a progress bar, in turns on the tick lock; None if busy."""
    board = study_board()
    if not board.gate.acquire(timeout=GATE_WAIT_S):
        st.info(
            "Another visitor's study is running (one at a time on this server, so that live "
            "trainings keep their pace). Try again in a moment.",
            icon=":material/hourglass_top:",
        )
        return None
    try:
        base, sizes, epochs = key
        steps = iter_batch_size_study(
            base, sizes, STUDY_NORMS, epochs=epochs, slice_updates=STUDY_SLICE_UPDATES
        )
        bar = st.progress(0.0, text="Training the study's networks...")
        while True:
            with w.tick_lock():  # one slice, then every waiting live tick goes first
                step = next(steps)
            bar.progress(step.fraction, text=f"Training the study's networks: {step.fraction:.0%}")
            if step.result is not None:
                board.put(key, step.result)
                bar.empty()
                return step.result
    finally:
        board.gate.release()


def _request_study() -> None:
    st.session_state.lab_study_requested = True


def _study_stamp() -> StudyKey | None:
    """What a setting's change may change in the study section: the study shown.

    When the study is of the controls' network: the key of the study of the current settings if
    one is on the board (the section shows it), else None (the section shows its controls and
    "Run the study", the same for any settings). So a setting's change reruns the section only
    when it brings a study in or takes one away, not on each change. The section takes its
    stamp again once drawn (:func:`batch_size_section`): a study it ran, or a message it showed
    instead, is part of what it shows.
    """
    ss = st.session_state
    sizes, epochs = ss.get("lab_study_batches"), ss.get("lab_study_epochs")
    if ss.get("lab_study_base") != "controls" or not sizes or not epochs:
        return None
    key = study_key(ss.lab_cfg, sizes, int(epochs))
    return key if study_board().get(key) is not None else None


@stamped("lab_study", _study_stamp)
def batch_size_section() -> None:
    """The batch-size study: test accuracy against batch size for BN, GN and LN, on request.

    A fragment: its own controls and its button rerun this section alone (the study's
    progress bar included), not the page with its live view. The controls' config is read
    from the session's state (``lab_cfg``); a setting's change reruns it when the study is
    of the controls' network.
    """
    base = st.session_state.lab_cfg
    job = prepared_study()  # started once per process, the first time the lessons draw
    st.subheader("Batch size and normalization: a study", anchor="batch-size-study")
    st.markdown(
        "In the spirit of Figure 1 of Wu & He, *Group Normalization* (2018): the lab's network "
        "trained with BatchNorm, GroupNorm and LayerNorm at each batch size, and the test "
        "accuracy of each run. While training, BatchNorm's statistics come from the batch "
        "(at evaluation from its running averages); GroupNorm's and LayerNorm's always come "
        "from each sample alone."
    )
    which = st.radio(
        "Network and data",
        list(STUDY_BASES),
        format_func=STUDY_BASES.get,
        key="lab_study_base",
        horizontal=True,
        help=f"The study's: {describe_config(STUDY_CONFIG)}. Yours: the controls on the left "
        "(a built-in dataset, not an uploaded one).",
    )
    if which == "study":
        base = STUDY_CONFIG
    # The batch sizes get a row of their own: beside other controls, on a 1280x720 screen at
    # 150 % their chips were cut off.
    sizes = st.multiselect(
        "Batch sizes",
        list(STUDY_BATCHES),
        default=list(STUDY_DEFAULT_BATCHES),
        key="lab_study_batches",
        help="Each is trained with BatchNorm, GroupNorm and LayerNorm.",
    )
    cols = st.columns([1, 1])
    epochs = cols[0].number_input(
        "Epochs per run",
        1,
        200,
        STUDY_EPOCHS,
        key="lab_study_epochs",
        help=f"Every run trains this many epochs. A study may take at most "
        f"{MAX_STUDY_UPDATES:,} updates in all.",
    )
    if not sizes:
        st.caption("Pick at least one batch size.")
        return
    key = study_key(base, sizes, int(epochs))
    board = study_board()
    study = board.get(key)
    # A button's return value would read False here: the live view's fragment, run earlier in
    # the same script run, resets the click. A callback runs before the script, so it is seen.
    requested = st.session_state.pop("lab_study_requested", False)
    slot = cols[1].empty()  # the button goes in after the study: disabled once it is cached
    if study is None and requested and key == job.key:
        study = wait_prepared(job)  # ready at once, or its progress until it is
    if study is None and requested:
        try:
            study = run_study(key)
        except ValueError as err:  # too large a study: normviz says by how much
            st.error(str(err), icon=":material/error:")
    # What was drawn: the study run now, or a message in its place (busy, too large) that the
    # next change of the settings it is about must take away.
    shown = study is None and requested
    st.session_state["lab_study_stamp"] = ("message", key) if shown else _study_stamp()
    slot.button(
        "Run the study",
        key="lab_study_run",
        on_click=_request_study,
        icon=":material/science:",
        disabled=study is not None,
        help="Trains the networks now (seconds), in turns with the live trainings.",
        width="stretch",
    )
    if study is None:
        return
    alt = figs.batch_size_study_alt(study)
    # HTML, not a Plotly chart and a grid: the page's first Plotly chart cost the browser ~0.5 s.
    with st.container(key="lab_fig_study"):
        st.html(figs.batch_size_study_html(study, alt=alt))
    with st.container(key="lab_study_table"):
        st.html(table_html(study_rows(study), label="Test accuracy per batch size"))
    st.markdown(study_summary(study))
    st.caption(study_caption(study))


@st.cache_data(max_entries=32, show_spinner=False)
def _dropout_check(key: str, _config: TrainConfig) -> DropoutCheck:
    return dropout_check(_config, ks=DROPOUT_KS)


def checked_config() -> TrainConfig:
    """The config the dropout check is of: the first run with dropout, else the first run."""
    runs = st.session_state.lab_runs
    return next((c for _, c in runs if c.dropout > 0), runs[0][1])


def dropout_content() -> tuple[str, list[dict[str, float]], str]:
    """The dropout check's text, table rows and caption for :func:`checked_config`."""
    base = checked_config()
    same = dropout_check_config(base)  # the training settings do not change the check
    c = _dropout_check(repr(same), same)
    return (
        dropout_check_text(c),
        dropout_check_rows(c),
        dropout_check_caption(c, from_run=base.dropout > 0),
    )


@stamped("lab_dropout_check", dropout_content)
def dropout_section() -> None:
    """Numeric check on screen that inverted dropout's eval output is its expected train output.

    The config checked is a run's (:func:`checked_config`), with its dropout rate (0.5 when
    dropout is off). A keyed fragment: a setting's change reruns it alone when what it shows
    (its stamp, :func:`dropout_content`) changed.
    """
    text, rows, caption = st.session_state.lab_dropout_check_stamp
    st.subheader(
        "Dropout check: evaluation gives the expected training output", anchor="dropout-check"
    )
    st.markdown(text)
    # HTML, not a data grid: the grid's canvas was laid out again on every run that sent it.
    with st.container(key="lab_dropout_table"):
        st.html(figs.dropout_check_table_html(rows))
    st.caption(caption)
