"""The lab's on-request studies: the dropout check and the batch-size study (BN, GN, LN).

The batch-size study trains 3 x len(batch sizes) networks: seconds of CPU. It runs only when
asked, in slices that take turns with the live ticks of every session on the process-wide
:func:`~pages._lab_widgets.tick_lock`, one study at a time per process, and its results are
kept in a small process-wide cache keyed by everything that decides them.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict

import streamlit as st

from normviz.figures import lab as figs
from normviz.lab_studies import (
    MAX_STUDY_UPDATES,
    STUDY_CONFIG,
    STUDY_EPOCHS,
    BatchSizeStudy,
    DropoutCheck,
    dropout_check,
    iter_batch_size_study,
    study_summary,
)
from normviz.training import TrainConfig
from pages import _lab_widgets as w

STUDY_NORMS = ("batch", "group", "layer")
STUDY_BATCHES = [2, 4, 8, 16, 32, 64, 128, 256]
STUDY_DEFAULT_BATCHES = [2, 4, 8, 16, 32, 64]
STUDY_BASES = {
    "study": "The study's network and data (moons)",
    "controls": "My controls' network and data",
}
STUDY_SLICE_UPDATES = 50  # updates per turn on the tick lock: well under one live tick's CPU
STUDY_CACHE_ENTRIES = 8
DROPOUT_KS = (1, 10, 100, 1000)

StudyKey = tuple[TrainConfig, tuple[int, ...], int]


class StudyBoard:
    """Process-wide: the finished studies (bounded, least recently used dropped) and a gate
    that lets one study run at a time. It holds study results, no session's data."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.gate = threading.Lock()
        self._lock = threading.Lock()
        self._done: OrderedDict[StudyKey, BatchSizeStudy] = OrderedDict()

    def get(self, key: StudyKey) -> BatchSizeStudy | None:
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
            return self._done.get(key)

    def put(self, key: StudyKey, study: BatchSizeStudy) -> None:
        with self._lock:
            self._done[key] = study
            self._done.move_to_end(key)
            while len(self._done) > self.entries:
                self._done.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)


@st.cache_resource(show_spinner=False)
def study_board() -> StudyBoard:
    """Return the one process-wide :class:`StudyBoard`."""
    return StudyBoard(STUDY_CACHE_ENTRIES)


def study_key(base: TrainConfig, batch_sizes: list[int], epochs: int) -> StudyKey:
    """What decides a study's result: the network and data of ``base``, sizes and epochs.

    The fields the study replaces (norm, batch size, epochs, early stopping) are normalized out,
    so two configs that differ only in them share one result.
    """
    neutral = dataclasses.replace(
        base, norm="none", batch_size=32, max_epochs=1, early_stopping_patience=None
    )
    return neutral, tuple(sorted(int(b) for b in batch_sizes)), int(epochs)


def run_study(key: StudyKey) -> BatchSizeStudy | None:
    """Run the study of ``key`` with a progress bar, in turns on the tick lock; None if busy."""
    board = study_board()
    if not board.gate.acquire(blocking=False):
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


def _describe(c: TrainConfig) -> str:
    hidden = "-".join(map(str, c.hidden))
    return (
        f"{c.dataset}, {c.n_samples} points, noise {c.noise:g}, a {hidden} {c.activation} "
        f"network, {c.optimizer} at learning rate {c.lr:g}, seed {c.seed}"
    )


def _request_study() -> None:
    st.session_state.lab_study_requested = True


def batch_size_section(base: TrainConfig) -> None:
    """The batch-size study: test accuracy against batch size for BN, GN and LN, on request."""
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
        help=f"The study's: {_describe(STUDY_CONFIG)}. Yours: the controls on the left "
        "(a built-in dataset, not an uploaded one).",
    )
    if which == "study":
        base = STUDY_CONFIG
    cols = st.columns([2, 1, 1])
    sizes = cols[0].multiselect(
        "Batch sizes",
        STUDY_BATCHES,
        default=STUDY_DEFAULT_BATCHES,
        key="lab_study_batches",
        help="Each is trained with BatchNorm, GroupNorm and LayerNorm.",
    )
    epochs = cols[1].number_input(
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
    slot = cols[2].empty()  # the button goes in after the study: disabled once it is cached
    if study is None and requested:
        try:
            study = run_study(key)
        except ValueError as err:  # too large a study: normviz says by how much
            st.error(str(err), icon=":material/error:")
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
    st.plotly_chart(figs.plot_batch_size_study(study), key="lab_fig_study", alt=alt, **w.CHART)
    rows = [
        {"normalization": figs.NORM_NAMES[norm]}
        | {f"batch {b}": f"{study.test_acc[i, j]:.1%}" for j, b in enumerate(study.batch_sizes)}
        for i, norm in enumerate(study.norms)
    ]
    st.dataframe(rows, hide_index=True, key="lab_study_table")
    updates = ", ".join(
        f"{u:,} at batch {b}" for b, u in zip(study.batch_sizes, study.updates[0], strict=True)
    )
    st.markdown(study_summary(study))
    st.caption(
        f"{study.budget} Updates per run: {updates}. One run per cell, so a few points of "
        "accuracy can be noise."
    )


@st.cache_data(max_entries=32, show_spinner=False)
def _dropout_check(key: str, _config: TrainConfig) -> DropoutCheck:
    return dropout_check(_config, ks=DROPOUT_KS)


def dropout_section(base: TrainConfig) -> None:
    """Numeric check on screen that inverted dropout's eval output is its expected train output.

    ``base`` is the config checked: a run's, with its dropout rate (0.5 when dropout is off).
    """
    st.subheader(
        "Dropout check: evaluation gives the expected training output", anchor="dropout-check"
    )
    c = _dropout_check(repr(base), base)
    st.markdown(
        f"The first hidden layer's activations h of the (untrained) network on the "
        f"{c.eval_output.shape[0]} training points, {c.eval_output.size:,} numbers with mean "
        f"|h| = {c.mean_abs_h:.3g}. In training mode, dropout with p = {c.p:g} zeroes each and "
        f"divides the survivors by 1 − p; averaged over K random masks, the training outputs "
        "approach the evaluation output h itself, with a difference that shrinks like 1/√K:"
    )
    st.dataframe(
        [
            {
                "masks K": k,
                "max |mean − eval|": float(mx),
                "RMS of mean − eval": float(rms),
                "RMS predicted √(p/(1−p)·mean h²/K)": float(pred),
            }
            for k, mx, rms, pred in zip(
                c.ks, c.max_abs_diff, c.rms_diff, c.predicted_rms, strict=True
            )
        ],
        hide_index=True,
        column_config={
            "max |mean − eval|": st.column_config.NumberColumn(format="%.4f"),
            "RMS of mean − eval": st.column_config.NumberColumn(format="%.4f"),
            "RMS predicted √(p/(1−p)·mean h²/K)": st.column_config.NumberColumn(format="%.4f"),
        },
        key="lab_dropout_table",
    )
    source = "the run's dropout" if base.dropout else "the check's default, as dropout is off"
    st.caption(
        f"p = {c.p:g}: {source}. Without the division by 1 − p, the mean training output over "
        f"{c.ks[-1]:,} masks would be {c.unscaled_ratio:.3f} times the evaluation output "
        f"(1 − p = {1 - c.p:g}): evaluation would then see larger activations than training did."
    )
