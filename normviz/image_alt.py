"""Alternative text of the image lesson's pictures and charts, built from what they draw.

A screen reader cannot see a histogram, so each picture and chart of the image lesson gets a
short description (Streamlit's ``alt=``) computed here, by pure functions, from the same records
the figure or the picture is made from: a histogram's ``counts`` and ``edges``, a transfer curve's
``x`` and ``y``, an image's shape, statistics and display mapping. The numbers in a description
are therefore those on screen, and a unit test checks them against the pixels themselves.

A description says what kind of chart it is, what its axes span, and its main finding in words
(where most pixels lie, where each channel's curve goes), the way one would describe the chart
to someone on the phone; it never repeats the visible caption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from normviz.figures.images import HistogramLike, channel_names

BULK = 0.8  # the share of pixels a histogram's description locates ("80 % of the pixels")


def short(v: float) -> str:
    """Return ``v`` with 3 significant digits, never in exponent notation.

    Examples
    --------
    >>> short(0.20031), short(254.6), short(-3.0), short(12345.0), short(0.000123)
    ('0.2', '255', '-3', '12345', '0.000123')
    """
    v = float(v)
    if abs(v) >= 1000 or v == 0:
        return str(round(v))
    text = np.format_float_positional(v, precision=3, unique=False, fractional=False, trim="-")
    return text.rstrip(".")


def _list(items: Sequence[str]) -> str:
    """Join ``items`` as a reader lists them: "a", "a and b", "a, b and c"."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _channels(names: Sequence[str]) -> str:
    """Return the channel count and names: "1 channel (grey)", "3 channels: R, G, B"."""
    if len(names) == 1:
        return f"1 channel ({names[0]})"
    return f"{len(names)} channels: {', '.join(names)}"


def quantile_range(
    counts: np.ndarray, edges: np.ndarray, share: float = BULK
) -> tuple[float, float] | None:
    """Return the central interval that holds ``share`` of the counted pixels, from a histogram.

    Parameters
    ----------
    counts : (C, bins) or (bins,) array
        Counts per channel; the channels are pooled.
    edges : (bins + 1,) array
        Ascending bin edges.
    share : float
        Fraction in (0, 1]; the interval runs from the ``(1 - share) / 2`` quantile to the
        ``(1 + share) / 2`` quantile.

    Returns
    -------
    (float, float) or None
        The two quantiles, interpolated linearly inside their bins (pixels spread evenly over
        a bin); None if nothing was counted. Each is within one bin width of the quantile of
        the pixels themselves.

    Examples
    --------
    >>> quantile_range(np.array([0, 10, 10, 0]), np.array([0.0, 1, 2, 3, 4]))
    (1.2, 2.8)
    """
    pooled = np.atleast_2d(np.asarray(counts, dtype=np.float64)).sum(axis=0)
    edges = np.asarray(edges, dtype=np.float64)
    total = pooled.sum()
    if not total > 0:
        return None
    cdf = np.concatenate([[0.0], np.cumsum(pooled) / total])  # at each edge
    tail = (1.0 - share) / 2.0
    # The CDF is piecewise linear between edges: invert it on the edges that begin or end a
    # rise (bins without pixels, which leave it flat, are skipped).
    up = np.diff(cdf) > 0
    keep = np.concatenate([up, [False]]) | np.concatenate([[False], up])
    lo, hi = np.interp([tail, 1.0 - tail], cdf[keep], edges[keep])
    return float(lo), float(hi)


def histogram_alt(
    hist: HistogramLike,
    *,
    names: Sequence[str] | None = None,
    x_range: tuple[float, float] | None = None,
    what: str = "the input",
    cumulative: bool = True,
    log_y: bool = False,
    markers: Mapping[str, float] | None = None,
) -> str:
    r"""Return the description of :func:`normviz.figures.images.histogram_html` for ``hist``.

    Takes the histogram and the figure's own options (``names``, ``x_range``, ``cumulative``,
    ``log_y``, ``markers``); ``what`` names whose values are counted ("the input", "the output").

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> h = SimpleNamespace(counts=np.array([[0, 5, 5, 0]]), edges=np.array([0.0, .25, .5, .75, 1]))
    >>> print(histogram_alt(h, what="the output").replace("; ", ";\n"))
    Histogram of the output, 1 channel (grey), with its cumulative curve;
    values from 0 to 1;
    80 % of the pixels between 0.3 and 0.7.
    """
    counts = np.atleast_2d(np.asarray(hist.counts, dtype=np.float64))
    edges = np.asarray(hist.edges, dtype=np.float64)
    names = tuple(names) if names is not None else channel_names(counts.shape[0])
    bulk = quantile_range(counts, edges) if np.isfinite(edges).all() else None
    if bulk is None:
        return f"Histogram of {what}: no pixels to count."
    lo, hi = x_range if x_range is not None else (edges[0], edges[-1])
    curves = ""
    if cumulative:
        curves = ", with its cumulative curve" if len(names) == 1 else ", with cumulative curves"
    parts = [
        f"Histogram of {what}, {_channels(names)}{curves}",
        f"values from {short(lo)} to {short(hi)}",
        f"{round(100 * BULK)} % of the pixels between {short(bulk[0])} and {short(bulk[1])}",
    ]
    if log_y:
        parts.append("pixel counts on a logarithmic scale")
    text = "; ".join(parts) + "."
    marks = [f"{k} = {short(v)}" for k, v in (markers or {}).items() if np.isfinite(v)]
    if marks:
        text += f" Dashed lines mark {_list(marks)}."
    return text


def _trend(row: np.ndarray) -> str:
    steps = np.diff(row)
    span = max(float(np.ptp(row)), 1e-12)
    if np.all(np.abs(steps) <= 1e-9 * span) or np.ptp(row) == 0:
        return "constant"
    if np.all(steps >= -1e-9 * span):
        return "rising"
    if np.all(steps <= 1e-9 * span):
        return "falling"
    return "going up and down"


def transfer_alt(curve, *, names: Sequence[str] | None = None, empty_message: str = "") -> str:
    """Return the description of :func:`normviz.figures.images.transfer_html` for ``curve``.

    Says which inputs map to which outputs at both ends and whether each curve rises, per
    channel (once when every channel has the same curve), from the curve's ``x`` (K,) and
    ``y`` (C, K); ``None`` gives ``empty_message``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> c = SimpleNamespace(x=np.array([0.0, 255.0]), y=np.array([[0.0, 1.0]]))
    >>> transfer_alt(c)
    'Transfer curve, output against input: rising from input 0 to 255, output 0 to 1.'
    """
    if curve is None:
        return f"Transfer curve: {empty_message or 'none for this technique.'}"
    x = np.asarray(curve.x, dtype=np.float64)
    y = np.atleast_2d(np.asarray(curve.y, dtype=np.float64))
    ok = np.isfinite(x) & np.isfinite(y).all(axis=0) if y.shape[1] == x.size else x[:0]
    if x.size == 0 or not np.any(ok):
        return "Transfer curve: no curve to draw."
    x, y = x[ok], y[:, ok]
    names = tuple(names) if names is not None else channel_names(y.shape[0])
    same = all(np.allclose(row, y[0]) for row in y[1:])

    def one(row: np.ndarray) -> str:
        return (
            f"{_trend(row)} from input {short(x[0])} to {short(x[-1])}, "
            f"output {short(row[0])} to {short(row[-1])}"
        )

    if same:
        who = "the same for every channel: " if len(names) > 1 else ""
        return f"Transfer curve, output against input: {who}{one(y[0])}."
    rows = [f"{n} {one(row)}" for n, row in zip(names, y, strict=True)]
    return f"Transfer curve, output against input, per channel: {'; '.join(rows)}."


def display_bar_alt(lo: float, hi: float, unit: str = "") -> str:
    r"""Return the description of :func:`normviz.figures.images.display_bar_html`.

    Examples
    --------
    >>> print(display_bar_alt(-3.0, 3.0, "z").replace("; ", ";\n"))
    Grey bar: output values from -3 z (black) to 3 z (white);
    values below show black, above show white.
    """
    u = f" {unit}" if unit else ""
    return (
        f"Grey bar: output values from {short(lo)}{u} (black) to {short(hi)}{u} (white); "
        "values below show black, above show white."
    )


def _means(mean: np.ndarray, names: Sequence[str]) -> str:
    mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
    if mean.size == 1:
        return f"mean value {short(mean[0])}"
    return "mean " + ", ".join(f"{n} {short(m)}" for n, m in zip(names, mean, strict=True))


def input_image_alt(
    title: str,
    shape: Sequence[int],
    display: tuple[float, float],
    mean: np.ndarray,
    names: Sequence[str],
) -> str:
    r"""Return the description of the input picture: what it is, its size, how it is shown.

    ``shape`` is the full image's ``(H, W[, C])``, ``display`` the values shown black..white,
    ``mean`` the per-channel mean (C,).

    Examples
    --------
    >>> text = input_image_alt("Moon", (480, 640), (0, 255), np.array([87.3]), ("grey",))
    >>> print(text.replace(", shown", ",\nshown"))
    The input image, Moon: 640 × 480 pixels, grey, mean value 87.3,
    shown from 0 (black) to 255 (white).
    """
    h, w = shape[:2]
    kind = "grey" if len(names) == 1 else f"colour ({', '.join(names)})"
    return (
        f"The input image, {title}: {w} × {h} pixels, {kind}, {_means(mean, names)}, "
        f"shown from {short(display[0])} (black) to {short(display[1])} (white)."
    )


def output_image_alt(
    title: str,
    technique: str,
    display: tuple[float, float],
    minimum: np.ndarray,
    maximum: np.ndarray,
    mean: np.ndarray,
    names: Sequence[str],
) -> str:
    r"""Return the description of the output picture from the output's statistics.

    Examples
    --------
    >>> text = output_image_alt("Moon", "Z-score", (-3.0, 3.0), np.array([-1.5]),
    ...                         np.array([4.2]), np.array([0.0]), ("grey",))
    >>> print(text.replace(", shown", ",\nshown"))
    Moon after Z-score: output values from -1.5 to 4.2, mean value 0,
    shown from -3 (black) to 3 (white).
    """
    lo, hi = float(np.min(minimum)), float(np.max(maximum))
    return (
        f"{title} after {technique}: output values from {short(lo)} to {short(hi)}, "
        f"{_means(mean, names)}, shown from {short(display[0])} (black) to "
        f"{short(display[1])} (white)."
    )


def tile_alt(title: str, image_title: str) -> str:
    """Return the description of a comparison-grid thumbnail.

    Examples
    --------
    >>> tile_alt("Log", "Moon")
    'Moon after Log, with its default parameters (thumbnail).'
    """
    return f"{image_title} after {title}, with its default parameters (thumbnail)."
