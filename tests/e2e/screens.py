"""The three screens of issue 12 and the page checks each lesson's screen tests share.

1280x720 at 150 % zoom is a 853x480 CSS-pixel viewport (the layout only sees CSS pixels).
"""

from __future__ import annotations

SIZES = {
    "phone": (390, 844),
    "projector": (853, 480),  # 1280x720 at 150 %
    "laptop": (1400, 1000),
}

# Pairs of leaf texts of the main column whose boxes overlap (within the first three screens).
OVERLAPS = """() => {
    const root = document.querySelector('[data-testid=stMain]');
    const leaves = Array.from(root.querySelectorAll('p, label, button, h1, h2, h3, span'))
        .filter(e => e.children.length === 0 && e.textContent.trim()
                && e.getClientRects().length && !e.closest('[data-testid=stTooltipIcon]')
                // a slider's value rides above its thumb, in its label's row (Streamlit's own)
                && !e.closest('[data-testid=stSliderThumbValue]')
                && !e.closest('.katex'));  // typeset formulas stack their glyphs on purpose
    const boxes = leaves.map(e => [e, e.getBoundingClientRect()])
        .filter(([, r]) => r.width > 2 && r.height > 2 && r.top < window.innerHeight * 3);
    const out = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [a, ra] = boxes[i], [b, rb] = boxes[j];
        if (a.contains(b) || b.contains(a)) continue;
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 2 && h > 2) out.push([a.textContent.trim().slice(0, 40),
                                      b.textContent.trim().slice(0, 40)]);
    }
    return out;
}"""

# Boxes (page pixels) of what Plotly graph ``i`` draws as text, by kind: its title, the legend,
# the annotations, the tick labels, the plotted data and the whole graph. Each text box is
# [left, top, right, bottom, text].
TEXT_BOXES = """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
    const box = (e) => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom, (e.textContent || '').trim()]; };
    const all = (sel) => Array.from(g.querySelectorAll(sel)).filter(
        e => e.getBoundingClientRect().width > 0).map(box);
    const plot = g.querySelector('.main-svg').getBoundingClientRect();
    const drawn = g.querySelector('.cartesianlayer .scatterlayer');
    const d = drawn ? drawn.getBoundingClientRect() : null;
    return {title: all('.gtitle'), legend: all('.legend .bg'), notes: all('.annotation-text'),
            data: d && d.height ? [d.left, d.top, d.right, d.bottom] : null,
            ticks: all('.xtick text, .ytick text, .y2tick text'),
            axis_titles: all('.xtitle, .ytitle, .y2title'),
            graph: [plot.left, plot.top, plot.right, plot.bottom],
            key: ((g.closest('[class*="st-key-"]') || {className: ''}).className.split(' ')
                .filter(c => c.startsWith('st-key-')).join(' '))}; }"""


def overlap(a, b) -> bool:
    """True when boxes ``a`` and ``b`` ([left, top, right, bottom, ...]) share more than 1 px."""
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


# The HTML charts (normviz.figures.images.histogram_html / transfer_html, class "nv-chart"): the
# chart's box and its texts by kind, each [left, top, right, bottom, text] in page pixels.
HTML_CHART_BOXES = """() => Array.from(document.querySelectorAll('.nv-chart')).map(g => {
    const box = (e) => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom, (e.textContent || '').trim()]; };
    const all = (sel) => Array.from(g.querySelectorAll(sel)).filter(
        e => e.getBoundingClientRect().width > 0).map(box);
    return {graph: box(g).slice(0, 4), ticks: all('.nv-tick'), titles: all('.nv-axis-title'),
            marks: all('.nv-marker'), notes: all('.nv-note'),
            key: ((g.closest('[class*="st-key-"]') || {className: ''}).className.split(' ')
                .filter(c => c.startsWith('st-key-')).join(' '))}; })"""


def html_chart_problems(page) -> list[str]:
    """Return, for every HTML chart on the page, the texts that collide or leave the chart.

    A tick label, an axis title, a marker's label or a curve's label more than 0.5 px outside
    its chart is clipped; tick labels, axis titles and marker labels must not overlap one
    another (a curve's label may lie over the plot, not over those).
    """
    problems = []
    for i, found in enumerate(page.evaluate(HTML_CHART_BOXES)):
        g = found["graph"]
        if g[2] - g[0] < 2:  # not drawn (a closed tab)
            continue
        where = f"html chart {i} ({found['key']})"
        texts = found["ticks"] + found["titles"] + found["marks"]
        for t in texts + found["notes"]:
            if t[0] < g[0] - 0.5 or t[2] > g[2] + 0.5 or t[1] < g[1] - 0.5 or t[3] > g[3] + 0.5:
                problems.append(f"{where}: {t[4]!r} cut at the chart's edge {t[:4]} vs {g}")
        for a_i, a in enumerate(texts):
            for b in texts[a_i + 1 :]:
                if overlap(a, b):
                    problems.append(f"{where}: {a[4]!r} runs into {b[4]!r}")
        for note in found["notes"]:
            for b in found["ticks"] + found["titles"]:
                if overlap(note, b):
                    problems.append(f"{where}: label {note[4]!r} over {b[4]!r}")
    return problems


def chart_text_problems(page) -> list[str]:
    """Return, for every Plotly graph on the page, the texts that collide or leave the graph.

    The HTML charts are checked too (:func:`html_chart_problems`).

    A tick label or an axis title more than 0.5 px outside its graph is clipped (a chart title
    may reach 5 px above it: its glyphs' ascent, and 1 px to a side); a legend over a title, an
    annotation, an axis title or a tick label hides it; a title or axis title over another title
    or a tick label collides with it. Each problem names the graph's index and widget key.
    """
    problems = []
    count = page.locator(".js-plotly-plot").count()
    for i in range(count):
        found = page.evaluate(TEXT_BOXES, i)
        g = found["graph"]
        if g[2] - g[0] < 2:  # not drawn (a closed tab)
            continue
        where = f"graph {i} ({found['key']})"
        edges = [(t, 1.0, 5.0) for t in found["title"]]
        edges += [(t, 0.5, 0.5) for t in found["axis_titles"] + found["ticks"]]
        for t, side, top in edges:
            if t[0] < g[0] - side or t[2] > g[2] + side or t[1] < g[1] - top or t[3] > g[3] + side:
                problems.append(f"{where}: {t[4]!r} cut at the graph's edge {t[:4]} vs {g}")
        for legend in found["legend"]:
            for other in found["notes"] + found["ticks"] + found["title"] + found["axis_titles"]:
                if overlap(legend, other):
                    problems.append(f"{where}: legend over {other[4]!r}")
        titles = found["title"] + found["axis_titles"]
        for a_i, a in enumerate(titles):
            for b in titles[a_i + 1 :] + found["ticks"]:
                if overlap(a, b):
                    problems.append(f"{where}: {a[4]!r} runs into {b[4]!r}")
    return problems + html_chart_problems(page)


# Texts the page clips: an element that hides its overflow (ellipsis, hidden, a scroller) and
# whose content is wider than its box, or a typeset formula wider than its block. Tab strips
# scroll on purpose (they show arrows) and are left out.
CLIPPED = """() => {
    const root = document.querySelector('[data-testid=stMain]');
    const out = [];
    const sel = 'p, span, div, label, button, h1, h2, h3, .katex-display';
    for (const e of root.querySelectorAll(sel)) {
        if (!e.getClientRects().length || !e.textContent.trim()) continue;
        if (e.closest('[role=tablist], [data-testid=stTooltipIcon], .js-plotly-plot, iframe'))
            continue;
        // A wide table in a narrow column scrolls sideways on purpose (a focusable region).
        if (e.closest('[role=region][tabindex="0"]')) continue;
        // Streamlit's own uploader hint lists every accepted type and ends in an ellipsis.
        if (e.closest('[data-testid=stFileUploaderDropzoneInstructions]')) continue;
        // A formula is judged as a whole: its display block, not KaTeX's inner struts.
        if (e.closest('.katex') && !e.matches('.katex-display')) continue;
        const s = getComputedStyle(e);
        if (s.overflowX === 'visible' && s.textOverflow !== 'ellipsis') continue;
        // 2 px of slack: KaTeX's struts overhang a fitting formula by a pixel or two.
        if (e.scrollWidth > e.clientWidth + 2 && e.clientWidth > 0)
            out.push(e.textContent.trim().slice(0, 50).replace(/\\s+/g, ' '));
    }
    return Array.from(new Set(out));
}"""
