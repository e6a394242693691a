"""The display bar as a small HTML picture: no Plotly chart for a bar that only shows a mapping.

It draws :func:`normviz.figures.images.display_bar_info`: a grey ramp from black at ``lo`` to
white at ``hi``, saturated a quarter of the span beyond each end, red lines at ``lo`` and ``hi``,
and an axis of round values below. As a Plotly chart (removed) it cost the browser a chart
remounted on every change of the technique or its settings; as HTML (``st.html``: a CSS gradient
and a few positioned boxes, every x a percentage) it is a few hundred bytes drawn with the page,
as wide as its column, its labels 12 px at any width. (``st.html`` keeps HTML only: an inline SVG
would be removed by its sanitizer.)
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from normviz.figures._chart_html import nice_ticks
from normviz.figures._theme import FONT_FAMILY, INK, MUTED
from normviz.figures.images._display import display_bar_info

LINE_COLOUR = "#dc2626"
"""The colour of the lines at ``lo`` and ``hi`` (as the Plotly bar's)."""
EDGE = 4.0
"""Room left and right of the bar, in % of the picture's width (labels at the ends use it)."""
LABEL_ROOM = 1.6
"""Half a label's width per character, in % of a narrow (~250 px) column."""
BAR_TOP, BAR_HEIGHT, HEIGHT = 4, 26, 56
"""Where the bar starts, its height and the picture's height, in px."""


def _label(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` places, "-0" written "0", a minus sign as a true minus."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = f"{0:.{decimals}f}"
    return text.replace("-", "\u2212")


def _box(style: str, body: str = "") -> str:
    return f'<div style="position:absolute;{style}">{body}</div>'


def display_bar_html(lo: float, hi: float, *, unit: str = "", alt: str = "") -> str:
    """Return the display mapping ``[lo, hi] -> [black, white]`` as a grey bar, in HTML.

    Parameters
    ----------
    lo, hi : float
        The values shown black and white.
    unit : str
        The values' unit, said in the picture's tooltip (e.g. "z").
    alt : str
        The picture's accessible name (``role="img"``, ``aria-label``).

    Returns
    -------
    str
        A ``<div>`` as wide as its container and ``HEIGHT`` px tall holding: the bar, filled
        with ``linear-gradient(to right, #000 a%, #fff b%)`` where a and b are the places of
        ``lo`` and ``hi`` among the values of :func:`~normviz.figures.images.display_bar_info`
        (black up to ``lo``, white from ``hi``); two red lines at ``lo`` and ``hi``; tick marks
        and labels at :func:`nice_ticks` values (a label too close to an edge to show whole is
        left out). Every ``left:`` is a percentage of the bar's width. A non-finite or empty
        range gives a box that says "no display range".

    Examples
    --------
    >>> html = display_bar_html(-3.0, 3.0, unit="z", alt="Grey bar")
    >>> html.startswith('<div role="img" aria-label="Grey bar"') and ">0</div>" in html
    True
    """
    head = (
        f'<div role="img" aria-label="{escape(alt, {chr(34): "&quot;"})}" '
        f'style="position:relative;height:{HEIGHT}px;margin:0 {EDGE:g}%;'
        f'font-family:{FONT_FAMILY};font-size:12px;color:{INK};line-height:1"'
    )
    info = display_bar_info(lo, hi)
    if info is None:
        return f'{head}><div style="color:{MUTED};padding-top:18px">no display range</div></div>'
    x0, x1 = float(info.x[0]), float(info.x[-1])

    def pct(v: float) -> float:
        return (v - x0) / (x1 - x0) * 100.0

    u = f" {unit}" if unit else ""
    tip = escape(f"{info.lo:.4g}{u} shows black, {info.hi:.4g}{u} white", {chr(34): "&quot;"})
    top, bottom = BAR_TOP, BAR_TOP + BAR_HEIGHT
    parts = [
        f'{head} title="{tip}">',
        _box(
            f"left:0;right:0;top:{top}px;height:{BAR_HEIGHT}px;box-sizing:border-box;"
            f"border:1px solid {MUTED};background:linear-gradient(to right, "
            f"#000 {pct(info.lo):.2f}%, #fff {pct(info.hi):.2f}%)"
        ),
    ]
    for v in (info.lo, info.hi):
        parts.append(_box(
            f"left:{pct(v):.2f}%;top:{top}px;height:{BAR_HEIGHT}px;"
            f"border-left:2px solid {LINE_COLOUR};margin-left:-1px"
        ))  # fmt: skip
    ticks, decimals = nice_ticks(x0, x1)
    for t in ticks:
        x, label = pct(float(t)), _label(float(t), decimals)
        parts.append(_box(f"left:{x:.2f}%;top:{bottom}px;height:4px;border-left:1px solid {INK}"))
        room = LABEL_ROOM * len(label) - EDGE  # the margin beside the bar is room too
        if room <= x <= 100.0 - room:  # else cut by the edge: left out, as Plotly does
            parts.append(_box(
                f"left:{x:.2f}%;top:{bottom + 7}px;transform:translateX(-50%);"
                "white-space:nowrap", label,
            ))  # fmt: skip
    parts.append("</div>")
    return "".join(parts)
