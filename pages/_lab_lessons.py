"""The lab's lower sections: the maths of each control, the notes' L1 bug, the dropout check,
the batch-size study and calculator and the take-home code. A newcomer's first view sends them
one tick after the rest.
"""

from __future__ import annotations

import functools

import streamlit as st

from normviz.lab_text import (
    batch_size_notes,
    batchnorm_text,
    dropout_latex,
    dropout_text,
    early_stopping_text,
    jitter_text,
    l1_bug_text,
    l1_code,
    l1_latex,
    l1_text,
    l2_rule,
    l2_zero_text,
)
from normviz.training import EpochRecord, TrainConfig, Trainer, batch_plan, pytorch_code
from pages import _lab_studies as studies


def _per_run(runs: list[tuple[str, TrainConfig]], build) -> list[tuple[str, object]]:
    """``build(config)`` for each run, once per distinct result, labelled with its runs."""
    seen: dict[object, list[str]] = {}
    for label, cfg in runs:
        seen.setdefault(build(cfg), []).append(label)
    if len(seen) == 1:
        return [("", next(iter(seen)))]
    return [(f"Run {' and '.join(labels)}: ", out) for out, labels in seen.items()]


def stacked(latex: str) -> str:
    """Break a rule's ``,\\quad``-separated steps onto lines, so it fits a half-width column."""
    parts = latex.replace(r",\ \ ", r",\quad ").split(r",\quad ")
    if len(parts) == 1:
        return latex
    return r"\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}"


def explain(
    base: TrainConfig, runs: list[tuple[str, TrainConfig]], trainers: list[Trainer]
) -> None:
    """Draw the sections below the live view for the controls' config ``base`` and ``runs``.

    Every formula and sentence with a number or a behaviour comes from :mod:`normviz.lab_text`,
    built from the configs being trained (each run's, when A and B differ).
    """
    st.divider()
    st.subheader("What the controls do", anchor="what-the-controls-do")
    math_cols = st.columns(2, gap="large")
    with math_cols[0]:
        # The runs that use L1 (or L2), else run A: one text per distinct explanation.
        l1_runs = [r for r in runs if r[1].l1 > 0] or runs[:1]
        for prefix, (latex, text) in _per_run(l1_runs, lambda c: (l1_latex(c), l1_text(c))):
            st.latex(latex)
            st.markdown(prefix + text)
        for prefix, rule in _per_run([r for r in runs if r[1].l2 > 0] or runs[:1], l2_rule):
            st.markdown(f"{prefix}**L2** (weight decay, optimizer {rule.optimizer}):")
            st.latex(stacked(rule.latex))
            st.markdown(rule.text)
        st.markdown(l2_zero_text())
    with math_cols[1]:
        st.latex(dropout_latex(base))
        for prefix, text in _per_run(runs, dropout_text):
            st.markdown(prefix + text)
        for prefix, text in _per_run(runs, early_stopping_text):
            st.markdown(prefix + text)
        for prefix, text in _per_run(runs, jitter_text):
            st.markdown(prefix + text)
        st.markdown(batchnorm_text())

    # Lazy expanders (on_change="rerun"): their code blocks are built and sent only when opened;
    # a highlighted script costs a newcomer's browser ~0.4 s of main thread even when collapsed.
    l1_bug = st.expander(
        "The notes' L1 bug: `l1 = l1 + p.numel()` regularizes nothing",
        key="lab_l1_bug",
        on_change="rerun",
    )
    if l1_bug.open:
        with l1_bug:
            st.markdown(l1_bug_text(trainers[0].model, 0.01))
            st.code(l1_code("subgradient"), language="python")
            st.markdown("Or proximal L1, which makes small weights exactly zero:")
            st.code(l1_code("proximal"), language="python")

    studies.dropout_section(next((c for _, c in runs if c.dropout > 0), runs[0][1]))
    studies.batch_size_section(base)

    st.subheader("Batch size: how many updates?", anchor="batch-size-updates")
    calc = st.columns([1, 1, 2, 1])
    n_images = calc[0].number_input(
        "Training images", 1, 10**10, 4_000_000, step=1000, key="lab_calc_n"
    )
    epochs = calc[1].number_input("Epochs", 1, 100_000, 400, key="lab_calc_epochs")
    sizes = calc[2].multiselect(
        "Batch sizes",
        [8, 32, 64, 128, 256, 512, 1024, 2048, 4096],
        default=[128, 256, 2048],
        key="lab_calc_batches",
    )
    drop_last = calc[3].toggle(
        "drop_last",
        key="lab_calc_drop_last",
        help="Drop the last incomplete batch (floor instead of ceil).",
    )
    if sizes:
        plans = batch_plan(int(n_images), sorted(sizes), int(epochs), drop_last=drop_last)
        st.dataframe(
            [
                {
                    "batch size": p.batch_size,
                    "updates per epoch": p.updates_per_epoch,
                    "total updates": p.total_updates,
                    "times fewer updates": round(p.ratio_vs_first, 2),
                }
                for p in plans
            ],
            hide_index=True,
        )
    st.markdown(
        batch_size_notes() + " And batch size *does* affect regularization: run the *Batch "
        "size 8 vs 256* preset and switch **Curves against** to *Updates* or *Samples seen* to "
        "compare the runs at equal updates or equal data rather than at equal epochs."
    )

    st.subheader("Take it home", anchor="take-it-home")
    home = st.columns([3, 1])
    code = home[0].expander(
        "PyTorch code for the current settings",
        icon=":material/code:",
        key="lab_code",
        on_change="rerun",
    )
    if code.open:
        with code:
            # From this run's configs (not a trainer's): what the controls and preset say now.
            if len(runs) == 1:
                st.code(pytorch_code(runs[0][1]), language="python")
            else:
                tabs = st.tabs([f"Run {label}" for label, _ in runs])
                for tab, (_, cfg) in zip(tabs, runs, strict=True):
                    tab.code(pytorch_code(cfg), language="python")
    with home[1]:
        script_downloads(runs)
        history_downloads(runs, trainers)


def script_downloads(runs: list[tuple[str, TrainConfig]]) -> None:
    """One "Script (.py)" download per run: the PyTorch script the code panel shows.

    ``data`` is deferred: :func:`normviz.training.pytorch_code` bound to the run's config with
    :func:`functools.partial` (Streamlit calls it on a thread of its own, where
    ``st.session_state`` cannot be read), so the script is built only when the button is clicked.
    """
    for label, cfg in runs:
        suffix = f"_{label}" if label else ""
        st.download_button(
            f"Script {label} (.py)" if label else "Script (.py)",
            data=functools.partial(pytorch_code, cfg),
            file_name=f"normviz_lab{suffix}.py",
            mime="text/x-python",
            key=f"lab_script{suffix}",
            on_click="ignore",
            icon=":material/download:",
            help=(f"Run {label}: t" if label else "T")
            + "he PyTorch script of the current settings, as in the code panel: "
            "run it with `python` (needs torch).",
        )


def history_downloads(runs: list[tuple[str, TrainConfig]], trainers: list[Trainer]) -> None:
    """One "History (CSV)" download per run, each bound to its own trainer.

    Streamlit runs a deferred ``data`` callable on a thread of its own when the button is
    clicked, outside any script run, where ``st.session_state`` cannot be read: the callable is
    the trainer's bound ``history_csv``, so the file holds that run's history as it is at the
    click (the live view keeps training between page runs). ``on_click="ignore"``: a download
    needs no rerun.
    """
    for (label, _), trainer in zip(runs, trainers, strict=False):
        suffix = f"_{label}" if label else ""
        st.download_button(
            f"History {label} (CSV)" if label else "History (CSV)",
            data=trainer.history_csv,
            file_name=f"normviz_lab_history{suffix}.csv",
            mime="text/csv",
            key=f"lab_download{suffix}",
            on_click="ignore",
            icon=":material/download:",
            help=(f"Run {label}: o" if label else "O")
            + f"ne row per recorded epoch (0 is before training), columns "
            f"{', '.join(EpochRecord._fields)}.",
        )
