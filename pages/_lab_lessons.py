"""The lab's lower sections: the maths of each control, the notes' L1 bug, the dropout check,
the batch-size study and calculator and the take-home code. A newcomer's first view sends them
one tick after the rest.
"""

from __future__ import annotations

import functools

import streamlit as st

from normviz.batchplan import CALCULATOR_BATCHES, CALCULATOR_DEFAULTS, plan_rows
from normviz.figures import lab as figs
from normviz.lab_text import (
    batchnorm_text,
    calculator_note,
    dropout_latex,
    dropout_text,
    early_stopping_text,
    groups_text,
    history_help,
    jitter_text,
    l1_bug_text,
    l1_code,
    l1_latex,
    l1_text,
    l2_rule,
    l2_zero_text,
    per_run,
    script_help,
    stacked_latex,
)
from normviz.training import TrainConfig, Trainer, batch_plan, pytorch_code
from pages import _lab_studies as studies
from pages._code_view import code_view
from pages._lab_rerun import STAMPS, stamped

CODE_LABEL = "PyTorch code for the current settings"
"""The code expander's title, and its code box's accessible name."""


def _state() -> tuple[TrainConfig, list[tuple[str, TrainConfig]], list[Trainer]]:
    """The controls' config, the runs and their trainers, as the last run applied them."""
    ss = st.session_state
    return ss.lab_cfg, ss.lab_runs, ss.lab_trainers


LESSON = "lab_lesson"
"""The lessons' tabs' key: ``st.session_state[LESSON]`` is the open tab's label."""


def explain() -> None:
    """Draw the lessons below the live view for the session's config, runs and trainers.

    Every formula and sentence with a number or a behaviour comes from :mod:`normviz.lab_text`,
    built from the configs being trained (each run's, when A and B differ). The lessons are
    tabs (:data:`TABS`), and only the open one is built and sent: a page run (the mode, a
    preset, Reset to defaults) re-renders one lesson in the browser, not five.
    """
    st.divider()
    lessons()


@st.fragment(key="lab_lessons")
def lessons() -> None:
    """The lessons' tabs and the open one's sections: a tab switch reruns this alone.

    Each section is a keyed fragment that reads the session's state: a setting's callback
    reruns the ones it changes alone (:func:`pages._lab_rerun.changed`). A section not drawn now
    forgets its stamp, so none is asked to rerun while its tab is closed.
    """
    for key in STAMPS:
        st.session_state.pop(f"{key}_stamp", None)
    tabs = st.tabs(list(TABS.values()), key=LESSON, on_change="rerun")
    for tab, name in zip(tabs, TABS, strict=True):
        if tab.open:
            with tab:
                for section in SECTIONS[name]:
                    section()


def math_items(base: TrainConfig, runs: list[tuple[str, TrainConfig]]) -> tuple:
    """Return "What the controls do" as ``(column, kind, text)`` items, kind latex or markdown."""
    items = []
    # The runs that use L1 (or L2), else run A: one text per distinct explanation.
    l1_runs = [r for r in runs if r[1].l1 > 0] or runs[:1]
    for prefix, (latex, text) in per_run(l1_runs, lambda c: (l1_latex(c), l1_text(c))):
        items += [(0, "latex", latex), (0, "md", prefix + text)]
    for prefix, rule in per_run([r for r in runs if r[1].l2 > 0] or runs[:1], l2_rule):
        items.append((0, "md", f"{prefix}**L2** (weight decay, optimizer {rule.optimizer}):"))
        items += [(0, "latex", stacked_latex(rule.latex)), (0, "md", rule.text)]
    items.append((0, "md", l2_zero_text()))
    items.append((1, "latex", dropout_latex(base)))
    for texts in (dropout_text, early_stopping_text, jitter_text):
        items += [(1, "md", prefix + text) for prefix, text in per_run(runs, texts)]
    items.append((1, "md", batchnorm_text()))
    items += [(1, "md", prefix + text) for prefix, text in per_run(runs, _groups)]
    return tuple(items)


def _groups(config: TrainConfig) -> str:
    return groups_text(config.hidden)


@stamped("lab_math", lambda: math_items(*_state()[:2]))
def math_section() -> None:
    """What the controls do: the maths of L1, L2, dropout, early stopping, jitter and norms."""
    st.subheader("What the controls do", anchor="what-the-controls-do")
    math_cols = st.columns(2, gap="large")
    for col, kind, text in st.session_state.lab_math_stamp:
        with math_cols[col]:
            if kind == "latex":
                st.latex(text)
            else:
                st.markdown(text)


# The sections below are fragments: a control inside one (an expander opened, a calculator
# input, the study's settings) reruns that section alone, not the page with its live view,
# formulas and downloads. They read the session's state, never arguments: a fragment rerun
# would reuse the arguments of its last full-page call.


def _l1_bug_stamp() -> str | None:
    """The L1 bug's text for run A's network when the expander is open, else None."""
    ss = st.session_state
    return l1_bug_text(ss.lab_trainers[0].model, 0.01) if ss.get("lab_l1_bug") else None


@stamped("lab_l1_bug_section", _l1_bug_stamp)
def l1_bug_section() -> None:
    """The notes' L1 bug, in an expander built and sent only when opened.

    Lazy (``on_change="rerun"``): nothing is built or sent for a reader who never opens it. Run
    A's network's parameter count is quoted, so an open one reruns when the network changes.
    """
    l1_bug = st.expander(
        "The notes' L1 bug: `l1 = l1 + p.numel()` regularizes nothing",
        key="lab_l1_bug",
        on_change="rerun",
    )
    if l1_bug.open:
        with l1_bug:
            st.markdown(l1_bug_text(st.session_state.lab_trainers[0].model, 0.01))
            code_view(l1_code("subgradient"), key="lab_l1_sub_box", label="Correct L1: subgradient")
            st.markdown("Or proximal L1, which makes small weights exactly zero:")
            code_view(l1_code("proximal"), key="lab_l1_prox_box", label="Correct L1: proximal")


@st.fragment
def calculator() -> None:
    """The batch-size calculator: updates per epoch and in all, for the sizes chosen."""
    st.subheader("Batch size: how many updates?", anchor="batch-size-updates")
    start = CALCULATOR_DEFAULTS
    calc = st.columns([1, 1, 1])
    n_images = calc[0].number_input(
        "Training images", 1, 10**10, start["n_samples"], step=1000, key="lab_calc_n"
    )
    epochs = calc[1].number_input("Epochs", 1, 100_000, start["epochs"], key="lab_calc_epochs")
    drop_last = calc[2].toggle(
        "drop_last",
        key="lab_calc_drop_last",
        help="Drop the last incomplete batch (floor instead of ceil).",
    )
    # The batch sizes get a row of their own: beside the other three controls, on a 1280x720
    # screen at 150 % their chips and the drop_last label were cut off.
    sizes = st.multiselect(
        "Batch sizes",
        list(CALCULATOR_BATCHES),
        default=list(start["batch_sizes"]),
        key="lab_calc_batches",
    )
    if sizes:
        plans = batch_plan(int(n_images), sorted(sizes), int(epochs), drop_last=drop_last)
        with st.container(key="lab_calc_table"):  # HTML: no data grid to lay out again
            st.html(figs.batch_plan_table_html(plan_rows(plans)))
    st.markdown(calculator_note())


def _home_stamp() -> tuple:
    """The trainers' ids (the downloads are bound to them) and, when shown, the code's runs."""
    ss = st.session_state
    return tuple(ss.lab_tokens), tuple(ss.lab_runs) if ss.get("lab_code") else None


@stamped("lab_home", _home_stamp)
def home_section() -> None:
    """Take it home: the code of the runs' configs, their scripts and histories to download."""
    _, runs, trainers = _state()
    st.subheader("Take it home", anchor="take-it-home")
    home = st.columns([3, 1])
    with home[0]:
        code_section(runs)
    with home[1]:
        script_downloads(trainers, [label for label, _ in runs])
        history_downloads(runs, trainers)


def code_section(runs: list[tuple[str, TrainConfig]]) -> None:
    """The PyTorch code of ``runs``' configs, in an expander built only when opened.

    Opening it reruns the section it is in (:func:`home_section`) alone.
    """
    code = st.expander(
        CODE_LABEL,
        icon=":material/code:",
        key="lab_code",
        on_change="rerun",
    )
    if code.open:
        with code:
            # From this run's configs (not a trainer's): what the controls and preset say now.
            if len(runs) == 1:
                code_view(pytorch_code(runs[0][1]), key="lab_code_box", label=CODE_LABEL)
            else:
                tabs = st.tabs([f"Run {label}" for label, _ in runs])
                for tab, (label, cfg) in zip(tabs, runs, strict=True):
                    with tab:
                        code_view(
                            pytorch_code(cfg), key=f"lab_code_box_{label}",
                            label=f"{CODE_LABEL}, run {label}",
                        )  # fmt: skip


def _script(trainer: Trainer) -> str:
    return pytorch_code(trainer.config)


def script_downloads(trainers: list[Trainer], labels: list[str]) -> None:
    """One "Script (.py)" download per run: the PyTorch script the code panel shows.

    ``data`` is deferred: :func:`normviz.training.pytorch_code` of the run's trainer's config
    (the settings it trains now, changed live too), bound with :func:`functools.partial`
    (Streamlit calls it on a thread of its own, where ``st.session_state`` cannot be read), so
    the script is built only when the button is clicked.
    """
    for label, trainer in zip(labels, trainers, strict=False):
        suffix = f"_{label}" if label else ""
        st.download_button(
            f"Script {label} (.py)" if label else "Script (.py)",
            data=functools.partial(_script, trainer),
            file_name=f"normviz_lab{suffix}.py",
            mime="text/x-python",
            key=f"lab_script{suffix}",
            on_click="ignore",
            icon=":material/download:",
            help=script_help(label),
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
            help=history_help(label),
        )


TABS = {
    "maths": "The maths",
    "dropout": "Dropout check",
    "study": "Batch size and norms",
    "calculator": "Updates per epoch",
    "home": "Code and downloads",
}
"""The lessons' tabs by name: their labels, in order (the first opens first)."""
SECTIONS = {
    "maths": (math_section, l1_bug_section),
    "dropout": (studies.dropout_section,),
    "study": (studies.batch_size_section,),
    "calculator": (calculator,),
    "home": (home_section,),
}
"""The sections each tab draws, in order."""
