"""The layers lesson's sentences, captions and code, built from the objects that computed them.

Every function takes the record that produced a number (a :class:`CubeInfo`, a
:class:`RunningTrace`, a :class:`GroupNormCheck`, ...) and returns a string; the page only places
it. Markdown is Streamlit's (``**bold**``, ``$...$`` for inline maths). No streamlit import.
"""

from __future__ import annotations

import math

from normviz.layer_kinds import LAYER_KINDS, kind_of
from normviz.layer_running import RunningTrace, time_constant
from normviz.layer_studies import (
    AfterMoments,
    BatchNoise,
    CubeInfo,
    GroupNormCheck,
    PaddingEffect,
    SetBehaviour,
    set_behaviour,
)
from normviz.layers import KIND_NAMES, KINDS, reduction_axes

# Which kinds (as default torch modules) compute something different in train and eval mode.
# BatchNorm: batch statistics in training, running averages in eval. InstanceNorm only with
# track_running_stats=True (off by default). From the table; tests check it with torch.
TRAIN_EVAL_DIFFERS = {key: spec.train_eval_differs for key, spec in LAYER_KINDS.items()}

WHY_LAYERNORM = (
    "**Why NLP uses LayerNorm and vision BatchNorm.** BatchNorm takes its statistics across the "
    "batch, which suits images: inputs of one size, large batches, statistics that barely move "
    "from batch to batch. Text breaks each of these: sentences have different lengths, so batches "
    "are padded and the padding tokens would enter the batch statistics (above); per-feature "
    "statistics over tokens fluctuate strongly between batches (Shen et al. 2020, *PowerNorm: "
    "Rethinking Batch Normalization in Transformers*); and a model generates one sequence at a "
    "time (batch 1), where BatchNorm must use running averages that differ from what it saw in "
    "training (a train/eval gap). LayerNorm normalizes each token over its own D features: it "
    "depends on neither the batch, nor the padding, nor the mode (Ba, Kiros & Hinton 2016, "
    "*Layer Normalization*). RMSNorm keeps only the rescaling: cheaper, and as accurate in "
    "their experiments (Zhang & Sennrich 2019, *Root Mean Square Layer Normalization*); LLaMA "
    "uses it.\n\n"
    "**Pre-LN vs Post-LN.** The original Transformer normalizes after each residual addition "
    "(Post-LN) and needs a learning-rate warm-up; putting LayerNorm at the start of each residual "
    "branch (Pre-LN) keeps the gradients well-behaved at initialization, so it trains without "
    "warm-up (Xiong et al. 2020, *On Layer Normalization in the Transformer Architecture*, ICML)."
)


def noise_text(noise: BatchNoise) -> str:
    """Return what the batch-size study measured: BatchNorm's spread at the ends, the others'.

    Parameters
    ----------
    noise : BatchNoise
        From :func:`normviz.layer_studies.batch_noise` (spreads below 1e-6 are stored as 0).

    Returns
    -------
    str
        Markdown with the spreads read from ``noise``.

    Examples
    --------
    >>> noise = BatchNoise((2, 512), ("batch", "layer"), ((0.169, 0.014), (0.0, 0.0)))
    >>> noise_text(noise)[:61]
    "BatchNorm's output for it depends on who else is in the batch"
    """
    sizes, parts, still = noise.batch_sizes, [], []
    for kind, row in zip(noise.kinds, noise.spread, strict=True):
        if max(row, default=0.0) == 0.0:
            still.append(KIND_NAMES[kind])
            continue
        ratio = f" ({row[0] / row[-1]:.0f}× less)" if row[-1] > 0 else ""
        parts.append(
            f"{KIND_NAMES[kind]}'s output for it depends on who else is in the batch: its spread "
            f"is {row[0]:.3f} at batch size {sizes[0]} and {row[-1]:.3f} at {sizes[-1]}{ratio}."
        )
    if still:
        parts.append(
            f"{_names_of(still)} give the same value every time (spread below 1e-6 at every "
            "batch size): they never look at the other samples."
        )
    return " ".join(parts)


def _names_of(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _names(kinds: list[str]) -> str:
    return _names_of([KIND_NAMES[k] for k in kinds])


def intro_text() -> str:
    """Return the lesson's opening: what every layer computes and how the kinds differ.

    Built from :data:`TRAIN_EVAL_DIFFERS` (checked against torch modules in the tests).

    Examples
    --------
    >>> "only in which elements" in intro_text(), "**BatchNorm** also differs" in intro_text()
    (False, True)
    """
    differ = [k for k in KINDS if TRAIN_EVAL_DIFFERS[k]]
    same = [k for k in KINDS if not TRAIN_EVAL_DIFFERS[k]]
    return (
        "Every normalization layer computes $\\hat x = (x - \\mu)/\\sqrt{\\sigma^2 + \\epsilon}$ "
        "(RMSNorm: $x/\\sqrt{\\operatorname{mean}(x^2) + \\epsilon}$, no $\\mu$), then an "
        "optional learned scale and shift. They differ in **which elements share one $\\mu$ "
        "and $\\sigma^2$**, "
        f"and **{_names(differ)}** also differs between training and evaluation: in training it "
        "uses the current batch's statistics and updates running averages, in eval mode "
        f"(`model.eval()`) it uses those averages. {_names(same)} compute the same thing in "
        "both modes (InstanceNorm only changes if built with `track_running_stats=True`). "
        "Pick a tensor and watch the sets."
    )


def layer_note(kind: str, groups: int | None = None) -> str:
    """Return the note beside the cube about the chosen layer: what one set pools, per sample or not.

    Read from :func:`normviz.layers.reduction_axes` for an (N, C, H, W) input: the axes pooled
    and kept, and whether N is pooled (the layer mixes the samples of a batch). LayerNorm's note
    also answers the notes' "normalize across layers" (ERRATA 10).

    Parameters
    ----------
    kind : {"batch", "layer", "instance", "group", "rms"}
    groups : int, optional
        G for ``"group"``.

    Returns
    -------
    str
        Markdown.

    Examples
    --------
    >>> print(layer_note("layer"))
    LayerNorm normalizes **all features of one sample** (C, H, W) together, not "across layers": it never looks at the other samples of the batch.
    >>> print(layer_note("batch"))
    BatchNorm normalizes **each channel** over (N, H, W): the samples of the batch are pooled, so a sample's output depends on the others in its batch.
    >>> print(layer_note("group", 2))
    GroupNorm (G = 2) normalizes **each group of channels of one sample** over (C/G, H, W): it never looks at the other samples of the batch.
    """  # noqa: E501
    spec = kind_of(kind)
    grouped = spec.channel_sets == "grouped"
    names = ("N", "G", "C/G", "H", "W") if grouped else ("N", "C", "H", "W")
    axes = reduction_axes(kind, 4)
    pooled = ", ".join(names[a] for a in axes)
    mixes = 0 in axes
    param = spec.params[0] if spec.params else None
    name = spec.label + (f" ({param.symbol} = {groups})" if param and groups else "")
    together = spec.channel_sets == "pooled" and not spec.pools_samples
    where = f"({pooled}) together" if together else f"over ({pooled})"
    head = f"{name} normalizes **{spec.what}** {where}"
    if kind == "layer":
        head += ', not "across layers"'  # the notes' words (ERRATA 10)
    if not spec.centered:
        head += " (by its root mean square, no mean subtracted)"
    tail = (
        "the samples of the batch are pooled, so a sample's output depends on the others in its "
        "batch."
        if mixes
        else "it never looks at the other samples of the batch."
    )
    return f"{head}: {tail}"


def set_phrase(info: CubeInfo, k: int) -> str:
    """Return which set ``k`` of ``info`` is: the index it keeps and the axes it pools over.

    Parameters
    ----------
    info : CubeInfo
        From :func:`normviz.layer_studies.cube_info`; its ``kept`` and ``reduced`` come from the
        labels of :func:`normviz.layers.group_index` and :func:`normviz.layers.reduction_axes`.
    k : int
        Set index, 0 <= k < len(info.means).

    Returns
    -------
    str
        ``"<axis> = <index>, ... · over <AXIS>, ..."``; GroupNorm adds the group's channels.

    Examples
    --------
    >>> import torch
    >>> from normviz.layer_studies import cube_info
    >>> set_phrase(cube_info(torch.zeros(2, 6, 8), "layer", layout="ntd"), 7)
    'n = 1, t = 1 · over D'
    >>> set_phrase(cube_info(torch.zeros(2, 6, 8), "batch", layout="ntd"), 3)
    'd = 3 · over N, T'
    >>> set_phrase(cube_info(torch.zeros(2, 4, 3, 3), "group", 2), 3)
    'n = 1, g = 1 (c = 2..3) · over C/G, H·W'
    """
    kept = dict(info.kept[k])
    parts = [f"{name} = {value}" for name, value in info.kept[k]]
    if kind_of(info.kind).channel_sets == "grouped" and info.groups:
        size = info.labels.shape[1] // info.groups
        lo = kept["g"] * size
        parts[-1] += f" (c = {lo}..{lo + size - 1})" if size > 1 else f" (c = {lo})"
    return f"{', '.join(parts)} · over {', '.join(info.reduced)}"


def set_caption(info: CubeInfo, k: int) -> str:
    """Return the cube frame title of set ``k``: kind, set number, which set, its moments.

    Parameters
    ----------
    info : CubeInfo
    k : int
        Set index, 0 <= k < len(info.means).

    Returns
    -------
    str
        Mean and std of the set (RMSNorm: its root mean square), 3 decimals.

    Examples
    --------
    >>> import torch
    >>> from normviz.layer_studies import cube_info
    >>> set_caption(cube_info(torch.arange(8.0).reshape(2, 2, 2), "batch"), 1)
    'BatchNorm · set 2 of 2: c = 1 · over N, L · mean +4.500, std 2.062'
    """
    count = len(info.means)
    if not count:
        return f"{KIND_NAMES[info.kind]}: empty tensor"
    moments = (
        f"rms {info.stds[k]:.3f}"
        if not kind_of(info.kind).centered
        else f"mean {info.means[k]:+.3f}, std {info.stds[k]:.3f}"
    )
    return f"{KIND_NAMES[info.kind]} · set {k + 1} of {count}: {set_phrase(info, k)} · {moments}"


def cube_text(info: CubeInfo, behaviour: SetBehaviour) -> str:
    """Return the sentence beside the cube: the axes pooled, how many sets of how many elements.

    Examples
    --------
    >>> import torch
    >>> from normviz.layer_studies import cube_info, set_behaviour
    >>> cube_text(cube_info(torch.zeros(2, 3, 2, 2), "batch"), set_behaviour((2, 3, 2, 2), "batch"))
    'Each set pools N, H·W: **3 sets** of 8 elements. Press ▶ Play to step through every set; \
the title names the set and gives its mean and std.'
    """
    what = "mean and std" if kind_of(info.kind).centered else "root mean square"
    return (
        f"Each set pools {', '.join(info.reduced)}: **{_count(behaviour.sets, 'set')}** of "
        f"{behaviour.set_size} element{'s' if behaviour.set_size != 1 else ''}. Press ▶ Play to "
        f"step through every set; the title names the set and gives its {what}."
    )


def degenerate_text(behaviour: SetBehaviour) -> str:
    """Return what happens to sets of one element, or ``""`` when the sets are larger.

    Parameters
    ----------
    behaviour : SetBehaviour
        From :func:`normviz.layer_studies.set_behaviour`: set size and PyTorch's message.

    Returns
    -------
    str
        Markdown: what normviz returns and whether PyTorch raises (its exact message).

    Examples
    --------
    >>> from normviz.layer_studies import set_behaviour
    >>> degenerate_text(set_behaviour((2, 6, 4, 4), "batch"))
    ''
    >>> degenerate_text(set_behaviour((1, 6, 1, 1), "batch"))[-41:]
    'got input size torch.Size([1, 6, 1, 1])`.'
    """
    if behaviour.set_size != 1:
        return ""
    name = KIND_NAMES[behaviour.kind]
    result = (
        "$x/\\sqrt{x^2 + \\epsilon}$, i.e. ±1 (just below)"
        if not kind_of(behaviour.kind).centered
        else "$x - \\mu = 0$: the output is **0** (variance 0, not 1)"
    )
    torch_says = (
        f"PyTorch raises in training: `ValueError: {behaviour.torch_message}`."
        if behaviour.torch_raises
        else "PyTorch returns the same, without an error."
    )
    return f"{name}: each set holds **one element**, so {result}. {torch_says}"


def after_text(after: AfterMoments, channels_per_group: int = 1) -> str:
    """Return what the normalization made of each set, from moments measured after it.

    Parameters
    ----------
    after : AfterMoments
        From :func:`normviz.layer_studies.after_moments` (float64 measurements).
    channels_per_group : int
        C / G, named in the GroupNorm sentence.

    Returns
    -------
    str
        Markdown with the largest |mean| and the range of the variances as ``1 − gap`` (the
        gap is eps / (var + eps)); RMSNorm states the mean squares instead.

    Examples
    --------
    >>> import torch
    >>> from normviz.layer_studies import after_moments
    >>> x = torch.tensor([[[1.0, 3.0]], [[5.0, 9.0]]])
    >>> text = after_text(after_moments(x, "instance", eps=0.01))
    >>> text[:60]
    "InstanceNorm makes every **cell** (one sample's channel, poo"
    >>> text[text.index("the variance"):][:56]
    'the variance runs from 1 − 9.9e-03 to 1 − 2.5e-03, just '
    """
    spec = kind_of(after.kind)
    name = spec.label
    made = spec.made.format(size=channels_per_group)
    sets = f"over its {_count(after.sets, 'set')} of {after.set_size} values"
    if after.set_size == 1 and spec.centered:
        return (
            f"{name} normalizes {made}, but each set holds one value: every output is "
            f"{after.max_abs_mean:.1f} with variance {after.var_max:.1f}, not 1."
        )

    def below(v: float) -> str:
        return f"1 − {1 - v:.1e}" if v < 1 else f"{v:.6f}"

    if not spec.centered:
        return (
            f"{name} makes {made} mean-square 1 up to $\\epsilon$, without centering: {sets}, "
            f"the mean square runs from {below(after.mean_square_min)} to "
            f"{below(after.mean_square_max)} and the largest |mean| is "
            f"{after.max_abs_mean:.2f}; {spec.keeps}."
        )
    return (
        f"{name} makes {made} zero-mean and unit-variance up to $\\epsilon$: {sets}, the largest "
        f"|mean| is {after.max_abs_mean:.1e} and the variance runs from {below(after.var_min)} "
        f"to {below(after.var_max)}, just below 1 because $\\epsilon$ = {after.eps:g} sits under "
        f"the square root (variance $\\sigma^2/(\\sigma^2 + \\epsilon)$); {spec.keeps}."
    )


def running_text(trace: RunningTrace, mode: str) -> str:
    r"""Return which mean and variance the last batch of ``trace`` is normalized with in ``mode``.

    Parameters
    ----------
    trace : RunningTrace
        From :func:`normviz.layer_running.running_trace`.
    mode : {"train", "eval"}

    Returns
    -------
    str
        Markdown with the formula and its numbers (4 decimals) and the convention's eps.

    Notes
    -----
    Training mode: the batch's mean and **biased** variance (both conventions); PyTorch feeds the
    unbiased one to ``running_var``, Keras the biased one. Eval mode: the running values.

    Examples
    --------
    >>> t = RunningTrace([2.0], [1.0], [8 / 7], [0.2], [1.0143], 0.1, "pytorch", 8, 1e-5)
    >>> print(running_text(t, "train"))  # doctest: +NORMALIZE_WHITESPACE
    In **train** mode batch 1 is normalized with its own statistics: $\hat x = (x - 2.0000) /
    \sqrt{1.0000 + \epsilon}$, the **biased** variance (divide by the 8 values of the channel),
    $\epsilon$ = 1e-05. `running_var` is updated with the unbiased 1.1429 = 1.0000 · 8/7.
    """
    if mode not in ("train", "eval") or not trace.batch_mean:
        raise ValueError(f"expected mode 'train' or 'eval' and a non-empty trace (got {mode!r})")
    s, eps = len(trace.batch_mean), trace.eps
    if mode == "eval":
        return (
            f"In **eval** mode a batch is normalized with the running statistics, whatever it "
            f"holds: $\\hat x = (x - {trace.running_mean[-1]:.4f}) / "
            f"\\sqrt{{{trace.running_var[-1]:.4f} + \\epsilon}}$, the values after {s} training "
            f"batches, $\\epsilon$ = {eps:g}."
        )
    mean, biased = trace.batch_mean[-1], trace.batch_var_biased[-1]
    unbiased = trace.batch_var_unbiased[-1]
    fed = (
        f"`running_var` is updated with the unbiased {unbiased:.4f} = {biased:.4f} · "
        f"{trace.count}/{trace.count - 1}."
        if trace.convention == "pytorch"
        else "Keras' moving variance is updated with this same biased value."
    )
    return (
        f"In **train** mode batch {s} is normalized with its own statistics: $\\hat x = "
        f"(x - {mean:.4f}) / \\sqrt{{{biased:.4f} + \\epsilon}}$, the **biased** variance "
        f"(divide by the {trace.count} values of the channel), $\\epsilon$ = {eps:g}. {fed}"
    )


def settle_text(trace: RunningTrace, mean: float, var: float) -> str:
    r"""Return how close the running mean of ``trace`` came to the population ``mean``, and when.

    Parameters
    ----------
    trace : RunningTrace
        Starting from running mean 0 and variance 1.
    mean, var : float
        The population the stream was drawn from.

    Returns
    -------
    str
        Markdown; every number is read from ``trace`` or computed from its momentum.

    Notes
    -----
    States the time constant tau (1/m in PyTorch, 1/(1 - alpha) in Keras), the gap left after
    tau batches against the noise-free ``(1 - m) ** tau``, and the gap after the last batch.

    Examples
    --------
    >>> t = RunningTrace([2.0] * 20, [1.0] * 20, [1.0] * 20, [2 - 2 * 0.5 ** k for k in
    ...     range(1, 21)], [1.0] * 20, 0.5, "pytorch", 8)
    >>> settle_text(t, 2.0, 1.0)[:83]
    'Time constant $\\tau = 1/m$ = 2 batches: the expected gap to the population shrinks '
    """
    tau = time_constant(trace.momentum, trace.convention)
    s = len(trace.running_mean)
    gap0 = abs(mean - 0.0)  # the running mean starts at 0
    k = min(max(round(tau), 1), s)
    gap_tau = abs(trace.running_mean[k - 1] - mean)
    weight = 1 / tau
    expected = gap0 * (1 - weight) ** k
    gap_end = abs(trace.running_mean[-1] - mean)
    formula = "1/m" if trace.convention == "pytorch" else "1/(1 - \\alpha)"
    return (
        f"Time constant $\\tau = {formula}$ = {tau:g} batches: the expected gap to the population "
        f"shrinks by a factor {1 - weight:g} per batch, to about 1/e after $\\tau$ (dotted "
        f"line). After {k} batches the running mean is {trace.running_mean[k - 1]:.3f}: a gap of "
        f"{gap_tau:.3f} of the starting {gap0:g} (noise-free {expected:.3f}). After all {s} "
        f"batches ({s / tau:.1f} $\\tau$) it is {trace.running_mean[-1]:.3f}, within "
        f"{gap_end:.3f} of the population mean {mean:g}; the running variance is "
        f"{trace.running_var[-1]:.3f} (population {var:g})."
        + (
            f" Keras averages the biased batch variance, whose expected value is "
            f"{trace.count - 1}/{trace.count} · {var:g} = {var * (1 - 1 / trace.count):.3f}."
            if trace.convention == "keras" and trace.count > 1
            else ""
        )
    )


def format_difference(value: float, spec: str = ".1e") -> str:
    """Return a measured difference for a metric, or ``"raises"`` where PyTorch raised (NaN).

    Examples
    --------
    >>> format_difference(2.384e-07), format_difference(float("nan")), format_difference(0.5, ".2f")
    ('2.4e-07', 'raises', '0.50')
    """
    return "raises" if math.isnan(value) else format(value, spec)


def groupnorm_text(check: GroupNormCheck) -> str:
    """Return the GroupNorm equivalences as measured with torch modules, and what they do not cover.

    Parameters
    ----------
    check : GroupNormCheck
        From :func:`normviz.layer_studies.groupnorm_check`: differences and weight shapes.

    Returns
    -------
    str
        Markdown; a difference is ``"raises"`` where a module raised for this shape.

    Examples
    --------
    >>> import torch
    >>> from normviz.layer_studies import groupnorm_check
    >>> text = groupnorm_text(groupnorm_check(torch.randn(2, 6, 4, 4)))
    >>> "`nn.LayerNorm((6, 4, 4))` has `weight` of shape (6, 4, 4)" in text
    True
    """
    c = check.shape[1]
    spatial = len(check.shape) - 2
    ln = f"nn.LayerNorm({tuple(check.shape[1:])})"
    inn = f"nn.InstanceNorm{spatial}d({c})"
    d_layer, d_instance = (format_difference(v) for v in (check.g1_vs_layer, check.gc_vs_instance))
    text = (
        f"Measured with torch's own modules (default init, so weight 1 and bias 0): "
        f"max |`nn.GroupNorm(1, {c})(x)` − `{ln}(x)`| = {d_layer} and "
        f"max |`nn.GroupNorm({c}, {c})(x)` − `{inn}(x)`| = {d_instance}"
        + (
            ": different kernels, the same normalization up to float rounding."
            if not math.isnan(check.g1_vs_layer + check.gc_vs_instance)
            else " (a module raises for this shape, see below)."
        )
        + " The equivalence holds "
        f"for the **normalization, not for the learned affine parameters**: `nn.GroupNorm(1, {c})`"
        f" has `weight` of shape {check.gn_weight_shape} (one scale per channel), `{ln}` has "
        f"`weight` of shape {check.ln_weight_shape} (one per element); `{inn}` has "
        + (
            "one by default"
            if check.in_affine_default
            else f"none by default (`affine=False`), with `affine=True` {check.in_weight_shape}"
        )
        + " (per channel, like GroupNorm)."
    )
    if check.error:
        text += f" Here PyTorch raises: {check.error}."
    return text


def padding_text(effect: PaddingEffect, n: int) -> str:
    """Return what padding did to BatchNorm and LayerNorm on the real tokens.

    Examples
    --------
    >>> padding_text(PaddingEffect(3, 0.25, 0.5, 0.0), 2)[:60]
    'Append 3 zero padding tokens to each of the 2 sequences: Bat'
    """
    return (
        f"Append {effect.pad_tokens} zero padding tokens to each of the {n} sequences: "
        f"BatchNorm's per-feature means move by up to {effect.bn_mean_shift:.3f} and its output "
        f"on the real tokens by up to {effect.bn_out_change:.3f}; LayerNorm's output on them "
        f"changes by {effect.ln_out_change:.1g}."
    )


def torch_snippet(kind: str, n: int, c: int, side: int, groups: int, eps: float = 1e-5) -> str:
    """Return the PyTorch code tab's program: the modules, then ``kind`` by hand into ``y``.

    Parameters
    ----------
    kind : {"batch", "layer", "instance", "group", "rms"}
    n, c, side : int
        The page's batch size N, channels C and H = W.
    groups : int
        G for the GroupNorm module (and the hand-written GroupNorm); a divisor of ``c``.
    eps : float
        Written into the formula; modules other than RMSNorm get it only if it is not their
        default 1e-5.

    Returns
    -------
    str
        Python source that runs as is.

    Notes
    -----
    Running it defines ``x`` (N, C, side, side) and ``y``, equal to the module of ``kind`` with
    its default weight 1 and bias 0; the last line prints that check, or says in a comment that
    the module raises for this shape (:func:`normviz.layer_studies.set_behaviour`).

    Examples
    --------
    >>> code = torch_snippet("layer", 2, 4, 3, 2)
    >>> ns = {}
    >>> exec(code, ns)
    True
    >>> tuple(ns["y"].shape)
    (2, 4, 3, 3)
    """
    spec = kind_of(kind)
    shape = f"{n}, {c}, {side}, {side}"
    e = "" if eps == 1e-5 else f", eps={eps:g}"  # 1e-5 is their default
    fields = {"c": c, "side": side, "groups": groups, "e": e, "eps": eps}
    modules = "".join(
        f"{k.var} = {k.module.format(**fields)}  # {k.comment.format(size=c // groups)}\n"
        for k in LAYER_KINDS.values()
    )
    head = (
        f"import torch\nimport torch.nn as nn\n\nx = torch.randn({shape})\n{modules}\n"
        f"# {spec.label} without its affine weight and bias, from the statistics:\n"
    )
    if spec.channel_sets == "grouped":  # the view (N, G, C/G * H * W), reduced over its last axis
        param = spec.params[0]
        body = (
            f"xs = x.view({n}, {groups}, -1)  # (N, {param.symbol}, C/{param.symbol} * H * W)\n"
            "dims = -1\n"
        )
    else:
        axes = reduction_axes(kind, 4)
        body = f"xs = x\ndims = {axes}  # {', '.join('NCHW'[a] for a in axes)}\n"
    if spec.centered:
        body += (
            "mean = xs.mean(dim=dims, keepdim=True)\n"
            "var = xs.var(dim=dims, correction=0, keepdim=True)  # biased, as in training\n"
        )
    else:
        body += (
            f"mean = 0.0  # {spec.label} subtracts nothing\n"
            "var = xs.pow(2).mean(dim=dims, keepdim=True)  # the mean square\n"
        )
    y = f"y = ((xs - mean) / torch.sqrt(var + {eps:g})).view({shape})  # eps inside the root\n"
    behaviour = set_behaviour((n, c, side, side), kind, groups if spec.params else None)
    if behaviour.torch_raises:
        check = f"# {spec.var}(x) raises here: ValueError: {behaviour.torch_message}\n"
    else:
        check = f"print(torch.allclose(y, {spec.var}(x), atol=1e-5))  # weight 1, bias 0\n"
    return head + body + y + check
