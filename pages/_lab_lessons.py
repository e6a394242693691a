"""The lab's lower sections: the maths of each control, the notes' L1 bug, the batch-size
calculator and the take-home code. A newcomer's first view sends them one tick after the rest.
"""

from __future__ import annotations

import streamlit as st

from normviz.training import TrainConfig, Trainer, batch_plan, penalty_l1_notes, pytorch_code


def explain(
    base: TrainConfig, runs: list[tuple[str, TrainConfig]], trainers: list[Trainer]
) -> None:
    """Draw the sections below the live view for the controls' config ``base`` and ``runs``."""
    st.divider()
    st.subheader("What the controls do")
    math_cols = st.columns(2, gap="large")
    with math_cols[0]:
        st.markdown(
            "**L1** adds the sum of absolute weights to the loss (weights only, not biases):"
        )
        st.latex(r"\mathcal{L} = \mathrm{CE} + \lambda_1 \sum_i |w_i|")
        st.markdown(
            "Its pull toward zero has the same size for every weight, so small weights land on "
            "exactly zero: a sparse network with fewer effective parameters."
        )
        st.markdown("**L2** (weight decay) shrinks every weight in proportion to its size:")
        st.latex(r"w \leftarrow w - \eta\,(\nabla_w \mathrm{CE} + \lambda_2 w)")
        l2_kind = (
            "**decoupled** (AdamW: the weights shrink by η·λ₂ each step, apart from Adam's scaling)"
            if base.optimizer == "adamw"
            else f"**coupled** ({base.optimizer}: λ₂·w joins the gradient, same as adding "
            "(λ₂/2)·‖w‖² to the loss)"
        )
        st.markdown(
            f"With your optimizer the L2 is {l2_kind}. It narrows the weight histogram but rarely "
            "makes a weight exactly zero (the notes' *L2 makes fewer parameters* is L1's job)."
        )
    with math_cols[1]:
        st.markdown(
            "**Dropout** (inverted) zeroes each unit with probability p while training and "
            "scales the survivors, so nothing changes at evaluation:"
        )
        st.latex(r"\tilde h = \frac{m \odot h}{1-p},\quad m_i \sim \mathrm{Bernoulli}(1-p)")
        st.markdown(
            "**Early stopping** keeps the weights of the epoch with the lowest held-out loss and "
            "stops after *patience* epochs without improvement. A real project watches a separate "
            "validation set and keeps the test set untouched; here the held-out split plays both "
            "roles. **Input jitter** adds Gaussian noise to each batch: a simple augmentation."
        )
        st.markdown(
            "**BatchNorm** was introduced to reduce *internal covariate shift*; Santurkar et al. "
            "(2018) found its benefit comes mainly from a smoother loss landscape, which is why it "
            "tolerates high learning rates (try the preset)."
        )

    # Lazy expanders (on_change="rerun"): their code blocks are built and sent only when opened;
    # a highlighted script costs a newcomer's browser ~0.4 s of main thread even when collapsed.
    l1_bug = st.expander(
        "The notes' L1 bug: `l1 = l1 + p.numel()` regularizes nothing",
        key="lab_l1_bug",
        on_change="rerun",
    )
    if l1_bug.open:
        with l1_bug:
            model = trainers[0].model
            buggy = penalty_l1_notes(model, 0.01)
            st.markdown(
                f'`p.numel()` counts parameters: for this network the "penalty" is the '
                f"constant {float(buggy):g}, with `requires_grad={buggy.requires_grad}`. A "
                "constant has zero gradient, so adding it to the loss changes no update. The "
                "correct L1 sums the weights' absolute values (try the *L1 vs L2* preset and "
                "watch the zero bin grow):"
            )
            st.code(
                "l1_term = sum(\n"
                "    p.abs().sum() for n, p in model.named_parameters() if n.endswith('weight')\n"
                ")\nloss = ce + l1 * l1_term",
                language="python",
            )

    st.subheader("Batch size: how many updates?")
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
        "The study notes' table (31,250 / 15,625 / 1,953 updates per epoch, 12,500,000 in total "
        "at 400 epochs) is right for **4,000,000** images, with the last batch dropped (1,953; "
        "keeping it gives 1,954). But the notes write the dataset as 4_00_00_000, which is "
        f"**40,000,000**: {40_000_000 // 128:,} updates per epoch at batch 128, ten times more. "
        "Larger batches give fewer updates per epoch, so they need more epochs or a larger "
        "learning rate (Goyal et al. 2017). And batch size *does* affect regularization: run the "
        "*Batch size 8 vs 256* preset."
    )

    st.subheader("Take it home")
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
        history_downloads(runs, trainers)


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
            help=(f"Run {label}: " if label else "")
            + "loss, accuracy, penalty, weight norm and sparsity per epoch.",
        )
