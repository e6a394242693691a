"""The regularization lab's explanations, built from the config they describe.

Every sentence here that states a number or a behaviour is computed from a
:class:`~normviz.training.TrainConfig` (or from a model) by the same rules the trainer applies,
and ``tests/unit/test_lab_text.py`` checks it against torch's optimizers, the trainer's runs and
the generated script. Pages only place the returned strings.

Strings are Markdown; ``*_latex`` values are for ``st.latex`` (no ``$``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import NamedTuple, TypeVar

from torch import nn

from normviz.batchplan import batch_plan, updates_per_epoch
from normviz.toydata import CLIP, NOISE_SCALE
from normviz.train_config import FIELDS, MOMENTUM, SPARSITY_THRESHOLD, TrainConfig, norm_groups
from normviz.training import EpochRecord, penalty_l1_notes

__all__ = [
    "L1_CODE",
    "L2Rule",
    "batch_size_notes",
    "batchnorm_text",
    "calculator_note",
    "control_help",
    "dropout_latex",
    "dropout_text",
    "early_stopping_text",
    "groups_text",
    "history_help",
    "jitter_text",
    "l1_bug_text",
    "l1_code",
    "l1_latex",
    "l1_text",
    "l2_rule",
    "l2_zero_text",
    "noise_help",
    "per_run",
    "script_help",
    "stacked_latex",
]

_T = TypeVar("_T", bound=Hashable)

# -- L1 ----------------------------------------------------------------------------------------


def l1_latex(config: TrainConfig) -> str:
    r"""Return the L1 rule the lab applies with ``config.l1_method``, as LaTeX.

    Examples
    --------
    >>> l1_latex(TrainConfig())
    '\\mathcal{L} = \\mathrm{CE} + \\lambda_1 \\sum_i |w_i|'
    """
    if config.l1_method == "proximal":
        return (
            r"w \leftarrow \operatorname{sign}(w)\,\max\!\left(|w| - \eta\lambda_1,\ 0\right)"
            r"\quad\text{after each optimizer step}"
        )
    return r"\mathcal{L} = \mathrm{CE} + \lambda_1 \sum_i |w_i|"


def _l1_pull(config: TrainConfig) -> str:
    """How big the subgradient's pull toward zero is, for ``config.optimizer``."""
    opt = config.optimizer
    if opt == "sgd":
        return (
            "Its gradient λ₁·sign(w) has the same size for every weight, and plain SGD turns it "
            "into the same step for every weight: η·λ₁ toward zero per update."
        )
    if opt == "momentum":
        return (
            "Its gradient λ₁·sign(w) has the same size for every weight, but momentum "
            f"accumulates it in the velocity: a weight that keeps its sign is pulled up to "
            f"1/(1 − {MOMENTUM:g}) = {1 / (1 - MOMENTUM):g} times harder than plain SGD "
            "would, while one that flips sign sees its pulls cancel. The pull is the same for "
            "every weight only with plain SGD."
        )
    return (
        f"Its gradient λ₁·sign(w) has the same size for every weight, but {opt} divides each "
        "weight's step by a running RMS of that weight's gradient (data gradient plus "
        "λ₁·sign(w)). So the pull differs from weight to weight: a weight whose data gradient is "
        "small is pulled by up to a full step of about η, whatever λ₁; one with large data "
        "gradients barely feels it. The pull is the same for every weight only with plain SGD."
    )


def l1_text(config: TrainConfig) -> str:
    """Return the explanation of L1 for ``config`` (method and optimizer), as Markdown.

    Subgradient L1 makes weights jitter around zero (near zero, rarely exactly zero); proximal
    L1 sets small weights to exactly zero.

    Examples
    --------
    >>> "exactly zero" in l1_text(TrainConfig(l1_method="proximal"))
    True
    >>> "near zero" in l1_text(TrainConfig())
    True
    """
    if config.l1_method == "proximal":
        return (
            "**L1, proximal** (soft thresholding): the loss stays the cross-entropy; after each "
            "optimizer step every weight moves η·λ₁ toward zero, and a weight with |w| ≤ η·λ₁ "
            "becomes **exactly zero**. The threshold is the same for every weight whatever the "
            "optimizer, since it is applied outside it. Weights the data does not need stay at "
            "exactly zero: a sparse network with fewer effective parameters."
        )
    return (
        "**L1, subgradient**: the sum of absolute weights joins the loss (weights only, not "
        f"biases or normalization parameters). {_l1_pull(config)} Unlike L2's, the pull keeps "
        "its size as a weight gets small, so small weights are driven to **near zero**; but a "
        "step of that size overshoots zero and back, so they jitter around it and few if any "
        f"are exactly zero (the lab counts |w| < {SPARSITY_THRESHOLD:g} as sparse). For exact "
        "zeros, choose the "
        "proximal method."
    )


L1_CODE = {
    "subgradient": (
        "weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]\n"
        "# linear layers' weights only: not biases, not the normalization layers' weights\n"
        "l1_term = sum(w.abs().sum() for w in weights)\n"
        "loss = ce + l1 * l1_term"
    ),
    "proximal": (
        "weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear)]\n"
        "loss = ce  # no L1 term in the loss\n"
        "optimizer.zero_grad()\n"
        "loss.backward()\n"
        "optimizer.step()\n"
        "with torch.no_grad():  # soft threshold: |w| <= lr * l1 becomes exactly 0\n"
        "    for w in weights:\n"
        "        w.copy_(w.sign() * (w.abs() - lr * l1).clamp_min(0.0))"
    ),
}


def l1_code(method: str = "subgradient") -> str:
    """Return the correct-L1 snippet for ``method``: it penalizes what the lab penalizes.

    The snippet expects ``model``, ``ce`` (the data loss), ``l1`` (and for the proximal one
    ``optimizer`` and ``lr``) in scope, and ``torch.nn`` imported as ``nn``.

    Examples
    --------
    >>> "isinstance(m, nn.Linear)" in l1_code()
    True
    """
    if method not in L1_CODE:
        raise ValueError(f"method must be one of {', '.join(map(repr, L1_CODE))} (got {method!r})")
    return L1_CODE[method]


def l1_bug_text(model: nn.Module, l1: float = 0.01) -> str:
    """Return the explanation of the notes' ``l1 + p.numel()`` bug, with ``model``'s numbers."""
    buggy = penalty_l1_notes(model, l1)
    return (
        f'`p.numel()` counts parameters: for this network and λ₁ = {l1:g} the "penalty" is the '
        f"constant {float(buggy):g}, with `requires_grad={buggy.requires_grad}`. A constant "
        "has zero gradient, so adding it to the loss changes no update. The correct L1 sums the "
        "absolute values of the linear layers' weights (try the *L1 vs L2* preset and watch "
        "the bin around zero grow):"
    )


# -- L2 ----------------------------------------------------------------------------------------


class L2Rule(NamedTuple):
    """The L2 update the lab's optimizer applies to a weight.

    Attributes
    ----------
    optimizer : str
    coupled : bool
        True when λ₂·w is added to the gradient (sgd, momentum, adam); False for AdamW.
    latex : str
        The update rule.
    text : str
        What it means, with the config's numbers (Markdown).
    decay_factor : float or None
        The factor ``1 - lr * l2`` that multiplies a weight in one step when its data gradient
        is zero and the optimizer has no state yet (sgd, momentum's first step, adamw); None for
        adam, whose decay step is divided by the gradient's running RMS.
    """

    optimizer: str
    coupled: bool
    latex: str
    text: str
    decay_factor: float | None


_ADAM_STEP = r"\eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon}"
_MOMENTS = r"m \leftarrow \beta_1 m + (1-\beta_1)\,g,\ \ v \leftarrow \beta_2 v + (1-\beta_2)\,g^2"


def l2_rule(config: TrainConfig) -> L2Rule:
    """Return the L2 update rule for ``config.optimizer``, with ``config``'s η and λ₂.

    ``g`` is the gradient of the training loss (cross-entropy, plus the L1 term with the
    subgradient method); ``m̂, v̂`` are Adam's bias-corrected moments.

    Examples
    --------
    >>> r = l2_rule(TrainConfig(optimizer="adamw", lr=0.01, l2=0.01))
    >>> r.coupled, r.decay_factor
    (False, 0.9999)
    >>> l2_rule(TrainConfig(optimizer="adam")).decay_factor is None
    True
    """
    opt, lr, l2 = config.optimizer, config.lr, config.l2
    factor = 1.0 - lr * l2
    numbers = f"With η = {lr:g} and λ₂ = {l2:g}, 1 − η·λ₂ = {factor:g}."
    if opt == "sgd":
        latex = r"w \leftarrow w - \eta\,(g + \lambda_2 w) = (1 - \eta\lambda_2)\,w - \eta\,g"
        text = (
            "**Coupled** (SGD): λ₂·w joins the gradient, the same as adding (λ₂/2)·‖w‖² to the "
            "loss. For plain SGD this is exactly weight decay: each step multiplies the weights "
            f"by 1 − η·λ₂ before the gradient step. {numbers}"
        )
        return L2Rule(opt, True, latex, text, factor)
    if opt == "momentum":
        latex = rf"v \leftarrow {MOMENTUM:g}\,v + g + \lambda_2 w,\quad w \leftarrow w - \eta\,v"
        text = (
            "**Coupled** (SGD with momentum 0.9): λ₂·w joins the gradient and accumulates in "
            "the velocity v with it, so the decay of a step depends on the past steps too; on "
            f"the first step (v = 0) it is the factor 1 − η·λ₂. {numbers}"
        )
        return L2Rule(opt, True, latex, text, factor)
    if opt == "adam":
        latex = (
            rf"g \leftarrow g + \lambda_2 w,\quad {_MOMENTS},\quad w \leftarrow w - {_ADAM_STEP}"
        )
        text = (
            "**Coupled** (Adam): λ₂·w is added to the gradient *before* Adam's moments, so the "
            "decay is divided by the running RMS of the gradient like everything else: weights "
            "with large gradients are decayed less, and a weight with no data gradient moves by "
            "about η per step whatever λ₂. This is not weight decay (Loshchilov & Hutter 2019, "
            f"*Decoupled Weight Decay Regularization*): AdamW is. {numbers}"
        )
        return L2Rule(opt, True, latex, text, None)
    latex = rf"{_MOMENTS},\quad w \leftarrow (1 - \eta\lambda_2)\,w - {_ADAM_STEP}"
    text = (
        "**Decoupled** (AdamW): the weights are *multiplied* by 1 − η·λ₂ each step, apart "
        "from Adam's scaled gradient step (whose moments see only g). The decay does not depend "
        f"on the gradient's scale (Loshchilov & Hutter 2019). {numbers}"
    )
    return L2Rule(opt, False, latex, text, factor)


def l2_zero_text() -> str:
    """Return what L2 does to the weight histogram (checked by a run in the tests).

    Examples
    --------
    >>> "exactly zero" in l2_zero_text()
    True
    """
    return (
        "L2 shrinks every weight in proportion to its size: the weight histogram narrows, but "
        "almost no weight gets near zero and none exactly zero (the notes' *L2 makes fewer "
        "parameters* is L1's job)."
    )


def batchnorm_text() -> str:
    """Return the BatchNorm sentence, naming the preset whose run shows it.

    The preset's claims are checked by ``tests/unit/test_presets.py``.
    """
    preset = "High learning rate: no norm vs BatchNorm"
    return (
        "**BatchNorm** was introduced to reduce *internal covariate shift*; Santurkar et al. "
        "(2018) found its benefit comes mainly from a smoother loss landscape, which is why it "
        f"tolerates higher learning rates (try the *{preset}* preset)."
    )


def jitter_text(config: TrainConfig) -> str:
    """Return what input jitter does, with ``config.augmentation``'s number.

    Examples
    --------
    >>> "standard deviation 0.05" in jitter_text(TrainConfig(augmentation=0.05))
    True
    """
    aug = config.augmentation
    if aug == 0:
        return "**Input jitter** (Gaussian noise on each training batch's inputs) is off now."
    return (
        f"**Input jitter** adds Gaussian noise of standard deviation {aug:g} to the inputs of "
        "each training batch (a fresh draw for every update, none at evaluation): a simple "
        "augmentation that makes nearby points count as the same class."
    )


# -- dropout, early stopping -------------------------------------------------------------------


def dropout_latex(config: TrainConfig) -> str:
    r"""Return inverted dropout's rule as LaTeX.

    Examples
    --------
    >>> dropout_latex(TrainConfig())
    '\\tilde h = \\frac{m \\odot h}{1-p},\\quad m_i \\sim \\mathrm{Bernoulli}(1-p)'
    """
    return r"\tilde h = \frac{m \odot h}{1-p},\quad m_i \sim \mathrm{Bernoulli}(1-p)"


def dropout_text(config: TrainConfig) -> str:
    """Return the explanation of inverted dropout, with ``config.dropout``'s numbers.

    Examples
    --------
    >>> "1/(1 − p) = 2" in dropout_text(TrainConfig(dropout=0.5))
    True
    """
    p = config.dropout
    intro = (
        "**Dropout** (inverted) zeroes each hidden unit with probability p while training and "
        "divides the survivors by 1 − p, so the expected training output equals the output at "
        "evaluation, where dropout is off."
    )
    if p == 0:
        return intro + " Dropout is off now (p = 0)."
    return intro + (
        f" With p = {p:g}, a unit is kept with probability {1 - p:g} and scaled by "
        f"1/(1 − p) = {1 / (1 - p):g}."
    )


def early_stopping_text(config: TrainConfig) -> str:
    """Return what early stopping does for ``config``, as the trainer and the script do it.

    When it is on, training ends after ``patience`` epochs without a new lowest test loss (epoch
    0, before training, counts) or at ``max_epochs``, and in both cases the weights of the epoch
    with the lowest test loss are restored. A diverged run keeps its weights.

    Examples
    --------
    >>> "restored" in early_stopping_text(TrainConfig(early_stopping_patience=5))
    True
    """
    holdout = (
        " A real project watches a separate validation set and keeps the test set untouched; "
        "here the held-out split plays both roles."
    )
    p = config.early_stopping_patience
    if p is None:
        return (
            "**Early stopping** is off: training runs to the maximum of "
            f"{config.max_epochs} epochs (unless it diverges) and keeps the last weights." + holdout
        )
    return (
        "**Early stopping** watches the held-out loss after every epoch, epoch 0 (before "
        f"training) included, and stops after {p} epoch{'s' if p != 1 else ''} without a new "
        "lowest value. Whenever training ends, by that rule or at the maximum of "
        f"{config.max_epochs} epochs, the weights of the epoch with the lowest held-out loss "
        "are restored (a run that diverged is not restored). The generated script does the "
        "same." + holdout
    )


# -- widget help and the batch-size notes ------------------------------------------------------


def noise_help() -> str:
    """Return the noise slider's help: what a level means, in the generator's own constants.

    It quotes the standard deviation at the middle and the top of the slider's range, not at
    the level chosen now: a help text that follows the value would make every noise change
    redraw the controls (a whole page run), and the slider shows the level itself.

    Examples
    --------
    >>> noise_help()[:62]
    'A level: Gaussian noise of standard deviation 0.3 × level is a'
    >>> noise_help().split("(")[1][:32]
    'level 0.5: 0.15, level 1: 0.3; t'
    """
    lo, hi = FIELDS["noise"].widget_bounds()
    levels = ", ".join(f"level {x:g}: {NOISE_SCALE * x:.3g}" for x in ((lo + hi) / 2, hi))
    return (
        f"A level: Gaussian noise of standard deviation {NOISE_SCALE:g} × level is added to each "
        f"coordinate ({levels}; the points span about [-1, 1]), then points are clipped to "
        f"[-{CLIP:g}, {CLIP:g}]."
    )


def groups_text(hidden: tuple[int, ...]) -> str:
    """Return how many groups GroupNorm uses for the widths ``hidden`` (Markdown).

    In "What the controls do", not in the normalization's help: a help text that follows the
    widths would make every width change redraw the controls (a whole page run).

    Examples
    --------
    >>> groups_text((16, 6)).split("widths: ")[1]
    '4 for 16 units, 2 for 6 units.'
    """
    groups = ", ".join(f"{norm_groups(w)} for {w} units" for w in dict.fromkeys(hidden))
    rule = FIELDS["norm"].help.replace("GroupNorm", "**GroupNorm**", 1)
    return f"{rule} With these widths: {groups}."


def control_help(config: TrainConfig) -> dict[str, str]:
    """Return the lab's widget help texts, keyed by :class:`TrainConfig` field name.

    Each is its row's ``help`` in :data:`~normviz.train_config.FIELDS`, except those that
    depend on more than their row: L1's (by the method) and the noise's (the generator's
    scale). None quotes a setting's value: that would redraw the controls on its every change.

    Examples
    --------
    >>> helps = control_help(TrainConfig(l1_method="proximal"))
    >>> helps["seed"]
    'Same seed and settings, same run, bit for bit.'
    >>> helps["l1"][:31]
    'After each step, w ← sign(w)·ma'
    """
    helps = {name: f.help for name, f in FIELDS.items()}
    if config.l1_method == "proximal":
        helps["l1"] = (
            "After each step, w ← sign(w)·max(|w| − lr·λ₁, 0): small weights become exactly zero."
        )
    helps["noise"] = noise_help()
    return helps


def batch_size_notes() -> str:
    """Return the correction of the study notes' batch-size table, computed by batch_plan.

    Examples
    --------
    >>> "312,500" in batch_size_notes()
    True
    """
    floor = batch_plan(4_000_000, [128, 256, 2048], 400, drop_last=True)
    ceil = batch_plan(4_000_000, [2048], 400)[0]
    per = " / ".join(f"{p.updates_per_epoch:,}" for p in floor)
    return (
        f"The study notes' table ({per} updates per epoch, {floor[0].total_updates:,} in total "
        "at 400 epochs) is right for **4,000,000** images, with the last batch dropped "
        f"({floor[2].updates_per_epoch:,}; keeping it gives {ceil.updates_per_epoch:,}). But "
        "the notes write the dataset as 4_00_00_000, which is **40,000,000**: "
        f"{updates_per_epoch(40_000_000, 128):,} updates per epoch at batch 128, ten times "
        "more. Larger batches give fewer updates per epoch, so they need more epochs or a "
        "larger learning rate (Goyal et al. 2017)."
    )


# -- placing texts per run ----------------------------------------------------------------------


def per_run(
    runs: Sequence[tuple[str, TrainConfig]], build: Callable[[TrainConfig], _T]
) -> list[tuple[str, _T]]:
    """Return ``build(config)`` once per distinct result, each with a prefix naming its runs.

    One distinct result gets no prefix; otherwise ``"Run A: "``, ``"Run A and B: "``.

    Examples
    --------
    >>> runs = [("A", TrainConfig(dropout=0.2)), ("B", TrainConfig())]
    >>> per_run(runs, lambda c: c.dropout)
    [('Run A: ', 0.2), ('Run B: ', 0.0)]
    >>> per_run(runs, lambda c: c.lr)
    [('', 0.01)]
    """
    seen: dict[_T, list[str]] = {}
    for label, cfg in runs:
        seen.setdefault(build(cfg), []).append(label)
    if len(seen) == 1:
        return [("", next(iter(seen)))]
    return [(f"Run {' and '.join(labels)}: ", out) for out, labels in seen.items()]


def stacked_latex(latex: str) -> str:
    r"""Break a rule's ``,\quad``-separated steps onto lines, so it fits a half-width column.

    Examples
    --------
    >>> stacked_latex(r"a = 1,\quad b = 2")
    '\\begin{gathered}a = 1 \\\\ b = 2\\end{gathered}'
    >>> stacked_latex("a = 1")
    'a = 1'
    """
    parts = latex.replace(r",\ \ ", r",\quad ").split(r",\quad ")
    if len(parts) == 1:
        return latex
    return r"\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}"


def calculator_note(preset: str = "Batch size 8 vs 256") -> str:
    """Return the calculator's note: the notes' table corrected, and the lab's batch-size evidence.

    It says how the lab shows that batch size does affect regularization (``preset``: a
    compare-mode preset's name).

    Examples
    --------
    >>> "*Batch size 8 vs 256*" in calculator_note()
    True
    """
    return (
        batch_size_notes() + f" And batch size *does* affect regularization: run the *{preset}* "
        "preset and switch **Curves against** to *Updates* or *Samples seen* to compare the "
        "runs at equal updates or equal data rather than at equal epochs."
    )


def script_help(label: str = "") -> str:
    """Return the help of a run's script download (``label``: "A", "B" or "" for one run)."""
    start = f"Run {label}: t" if label else "T"
    return (
        start + "he PyTorch script of the current settings, as in the code panel: run it with "
        "`python` (needs torch)."
    )


def history_help(label: str = "") -> str:
    """Return the help of a run's history download, naming the CSV's columns.

    Examples
    --------
    >>> history_help("A")[:56]
    'Run A: one row per recorded epoch (0 is before training)'
    """
    start = f"Run {label}: o" if label else "O"
    return (
        start + "ne row per recorded epoch (0 is before training), columns "
        f"{', '.join(EpochRecord._fields)}."
    )
