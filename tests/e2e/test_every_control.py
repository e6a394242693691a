"""Every control on every page, exercised once in a real browser.

A generic walker scans the page for every widget Streamlit draws (sliders, select sliders,
selectboxes, multiselects, radios, checkboxes and toggles, number and text inputs, segmented
controls and pills, buttons, download buttons, file uploaders, tabs, expanders, page links, and
custom components: the lab's live chart surface, whose loss curves it zooms by a drag and resets
by a double-click inside the iframe), exercises each one once in a way that changes it, waits
for the rerun to settle and checks the page (no exception box, no JavaScript error, no
third-party request) and the server's log (no traceback). After each step it scans again: a
step may reveal widgets (the lab's compare mode and its presets, an expander's content, a
technique's parameters), and the newest are exercised first, while the state that revealed them
still holds. Widgets are known by their ``st-key-<key>`` class, or by kind and label when they
have no key, so a widget the pages gain is covered without any change here; a control the walker
does not know how to use fails the test instead of being skipped.

Downloads are saved and opened: a PNG must decode with Pillow, a CSV must parse with a header and
at least one row, a ``.py`` file must compile, a ``.npy`` file must load as a finite array;
anything else must be non-empty. Uploaders get a small valid file, then an invalid one (which must
give a clear message), then are cleared. The lab trains a few seconds before its walk, so its
history downloads have rows to check.
"""

from __future__ import annotations

import contextlib
import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import (
    SERVER_ERROR,
    Server,
    exceptions,
    excerpt,
    log_size,
    open_page,
    runs,
    server_errors,
    settle,
    shoot,
)

# Streamlit 1.67's test id of each widget -> how the walker exercises it.
KINDS = {
    "stSlider": "slider",
    "stSelectSlider": "slider",
    "stSelectbox": "selectbox",
    "stMultiSelect": "multiselect",
    "stRadio": "radio",
    "stCheckbox": "checkbox",
    "stToggle": "checkbox",
    "stNumberInput": "number",
    "stTextInput": "text",
    "stTextArea": "text",
    "stButtonGroup": "buttongroup",
    "stButton": "button",
    "stFormSubmitButton": "button",
    "stDownloadButton": "download",
    "stFileUploader": "uploader",
    "stTab": "tab",
    "stExpander": "expander",
    "stPageLink": "pagelink",
    # A custom component: the lab's live chart surface (an iframe of the app's own files), used
    # through its charts: a drag-zoom and a double-click on the loss curves.
    "stCustomComponentV1": "livechart",
    # An inline custom component (st.components.v2): the layers lesson's cube player, whose set
    # slider is a range input driven as a slider's (its Play button: tests/e2e/test_layers.py),
    # or a lesson's code box (pages/_code_view.py; the scan calls it "copy"), whose Copy button
    # is pressed (what it copies: tests/e2e/test_code_boxes.py).
    "stBidiComponentRegular": "slider",
}
# Kinds whose interaction must change the value the page shows for it.
VALUED = {"slider", "selectbox", "multiselect", "radio", "checkbox", "number", "text"}
VALUED |= {"buttongroup", "tab", "expander"}
# Elements that are clickable but are Streamlit's own chrome, not the app's controls: chart and
# table toolbars, help tooltips, a code block's copy button, a heading's anchor link, Plotly's
# own buttons and sliders (the layers test plays its animation), the data grid.
CHROME = (
    "[data-testid=stElementToolbar], [data-testid=stTooltipIcon], [data-testid=stCode],"
    " [data-testid=stHeaderActionElements], [data-testid=stPlotlyChart],"
    " [data-testid=stDataFrame], [data-testid=stMarkdownContainer], [data-testid=stImage],"
    " [data-testid=stFullScreenFrame] > div > button, [data-testid=stTooltipHoverTarget],"
    " [data-testid=stException]"
)
# Text inputs need a value the app accepts; any other text input gets its value plus "1".
TEXT_VALUES = {"lab_hidden": "8-8"}

PAGES = ["/", "/images", "/layers", "/lab"]
# Controls each page must have exercised, by id: a control that a scan stopped recognising would
# otherwise only lower the count.
REQUIRED = {
    "/lab": {"lab_live", "lab_start", "lab_step", "lab_reset"},
    # The layers lesson's frame players: the cube's and the running statistics' slider.
    "/layers": {"lay_cube_chart", "lay_running_chart"},
}
# How many controls each page had on the day this test was written (a broken scan must not pass
# with nothing exercised): raise these when a page gains controls.
# The lab: 48 on 2026-11-30 with its live chart component (one control, where the four Plotly
# charts were chrome), the compare mode's presets, tabs and downloads included.
MINIMUM = {"/": 3, "/images": 10, "/layers": 22, "/lab": 48}
STEP_CAP = 160
# How long one click or key press may wait for its target (the context's default is 45 s).
STEP_TIMEOUT_S = 15.0
DOWNLOAD_S = 20.0
# Before the lab's walk: train this long, so a history exists for its download.
LAB_TRAIN_S = 3.0

SCAN = """([kinds, chrome]) => {
    const sel = Object.keys(kinds).map(t => `[data-testid="${t}"]`).join(',');
    const containers = '[data-testid=stTab], [data-testid=stExpander]';
    const roots = Array.from(document.querySelectorAll(
        '[data-testid=stMain], [data-testid=stSidebarUserContent]'));
    const clean = (s) => (s || '').replace(/\\s+/g, ' ').trim();
    const text = (e) => e ? clean(e.innerText || e.textContent) : '';
    const keyOf = (e) => {
        const box = e.closest('[data-testid=stElementContainer], [data-testid=stLayoutWrapper]');
        const c = box && Array.from(box.classList).find(c => c.startsWith('st-key-'));
        return c ? c.slice(7) : '';
    };
    const shown = (e) => e.getClientRects().length > 0 && !e.closest('[inert]');
    const out = [];
    const ids = new Map();
    let reveals = 0;
    for (const a of ['data-walk', 'data-walk-reveal'])
        document.querySelectorAll(`[${a}]`).forEach(e => e.removeAttribute(a));
    for (const root of roots) for (const el of root.querySelectorAll(sel)) {
        const testid = el.getAttribute('data-testid');
        // An inline custom component is a player (its slider) or a code box (its Copy button).
        const code = testid === 'stBidiComponentRegular' && el.querySelector('.nv-codebox');
        const kind = code ? 'copy' : kinds[testid];
        // One with nothing to operate (pages/_warm_widgets.py's module loader) is no control.
        if (testid === 'stBidiComponentRegular' && !el.querySelector('input, button')) continue;
        // A widget's own parts (a download button's inner button) are not widgets of their own.
        const outer = el.parentElement.closest(sel);
        if (outer && !outer.matches(containers)) continue;
        let label;
        if (kind === 'tab') label = text(el);
        else if (kind === 'expander') {
            const s = el.querySelector('summary');
            label = text(s && s.querySelector('[data-testid=stMarkdownContainer]')) || text(s);
        } else if (kind === 'livechart') label = clean(el.getAttribute('title'));
        else if (kind === 'copy') label = clean(el.querySelector('button').ariaLabel);
        else if (['button', 'download', 'pagelink'].includes(kind)) {
            label = text(el.querySelector('[data-testid=stMarkdownContainer]')) || text(el);
        } else label = text(el.querySelector('[data-testid=stWidgetLabel]'))
            || clean(el.getAttribute('aria-label') || '');
        const key = kind === 'tab' ? '' : keyOf(el);
        let id = key ? key : `${kind}:${label}`;
        if (kind === 'tab') {
            const tabs = el.closest('[data-testid=stTabs]');
            const k = keyOf(tabs);
            id = `tab:${k ? k + ':' : ''}${label}`;
        }
        const n = (ids.get(id) || 0) + 1;
        ids.set(id, n);
        if (n > 1) id = `${id}#${n}`;
        // What must be clicked first to show it: the tabs and expanders around it, outermost first.
        const reveal = [];
        for (let p = el.parentElement; p; p = p.parentElement) {
            const t = p.getAttribute && p.getAttribute('data-testid');
            if (t === 'stTabPanel') {
                const tabs = p.closest('[data-testid=stTabs]');
                const mine = (x) => x.closest('[data-testid=stTabs]') === tabs;
                const panels = Array.from(tabs.querySelectorAll('[data-testid=stTabPanel]'))
                    .filter(mine);
                const tab = Array.from(tabs.querySelectorAll('[data-testid=stTab]'))
                    .filter(mine)[panels.indexOf(p)];
                if (tab && tab.getAttribute('aria-selected') !== 'true') {
                    tab.setAttribute('data-walk-reveal', 'r' + (++reveals));
                    reveal.unshift('r' + reveals);
                }
            } else if (p.tagName === 'DETAILS' && !p.open) {
                const s = p.querySelector('summary');
                s.setAttribute('data-walk-reveal', 'r' + (++reveals));
                reveal.unshift('r' + reveals);
            }
        }
        let value = '';
        if (kind === 'slider') value = Array.from(el.querySelectorAll('input[type=range]'))
            .map(i => i.getAttribute('aria-valuetext') || i.value).join('|');
        else if (kind === 'selectbox') value = (el.querySelector('[role=combobox]') || {}).value;
        else if (kind === 'multiselect') value = Array.from(el.querySelectorAll('[data-tag]'))
            .map(t => t.getAttribute('aria-label')).join('|');
        else if (kind === 'radio') value = text(el.querySelector('[data-testid=stRadioOption] '
            + 'input:checked')?.closest('[data-testid=stRadioOption]'));
        else if (kind === 'checkbox') value = String(!!el.querySelector('input:checked'));
        else if (kind === 'number' || kind === 'text') value = (el.querySelector('input, textarea')
            || {}).value;
        else if (kind === 'buttongroup') value = Array.from(el.querySelectorAll('button')).filter(
            b => b.getAttribute('aria-checked') === 'true' || b.getAttribute('aria-pressed')
                === 'true').map(text).join('|');
        else if (kind === 'tab') value = el.getAttribute('aria-selected');
        else if (kind === 'expander') value = String(!!(el.querySelector('details') || {}).open);
        const disabled = ['button', 'download'].includes(kind)
            ? Array.from(el.querySelectorAll('button')).every(b => b.disabled)
            : !!el.querySelector('input:disabled, [aria-disabled=true]:not(section)');
        el.setAttribute('data-walk', 'w' + out.length);
        out.push({id, kind, label, key, value: value || '', disabled, reveal,
                  shown: shown(el), walk: 'w' + out.length});
    }
    // Anything a user can operate that is none of the above is a control the walker cannot use.
    const unknown = [];
    for (const root of roots) for (const e of root.querySelectorAll(
            'input, textarea, select, button, [role=slider], [role=combobox], [role=switch], '
            + '[role=tab], [contenteditable=true]')) {
        if (e.closest(sel) || e.closest(chrome) || !shown(e)) continue;
        const owner = e.closest('[data-testid]');
        unknown.push(`${e.tagName.toLowerCase()} in ${owner && owner.getAttribute('data-testid')}`
            + `: ${text(e).slice(0, 40)}`);
    }
    return {widgets: out, unknown};
}"""


@dataclass
class Widget:
    """One control as a scan sees it (``walk`` locates it until the next scan)."""

    id: str
    kind: str
    label: str
    key: str
    value: str
    disabled: bool
    reveal: list[str]
    shown: bool
    walk: str


@dataclass
class Row:
    """What the walk did with one control."""

    id: str
    kind: str
    label: str
    first_seen: int
    order: int
    open_first: bool = False  # a tab open when first seen
    done: bool = False
    result: str = ""
    seconds: float = 0.0


@dataclass
class Walk:
    """The state of one page's walk."""

    path: str
    rows: dict[str, Row] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unknown: set[str] = field(default_factory=set)
    steps: int = 0
    log_at: int = 0
    js_seen: int = 0
    js_stacks: list[str] = field(default_factory=list)
    third_seen: int = 0
    boxes: set[str] = field(default_factory=set)


def scan(page) -> tuple[list[Widget], list[str]]:
    """Every control on the page now, in document order."""
    found = page.evaluate(SCAN, [KINDS, CHROME])
    return [Widget(**w) for w in found["widgets"]], found["unknown"]


def loc(page, walk: str):
    return page.locator(f"[data-walk='{walk}']").first


def settle_run(page, before: int, start_s: float, timeout_s: float = 30.0) -> None:
    """Wait up to ``start_s`` for a script run after ``before`` to start, then settle."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            "n => (window.__stRuns || 0) > n", arg=before, timeout=start_s * 1000
        )
    settle(page, timeout_s, quiet_s=0.5)


def visible_button(el):
    """The clickable copy of a button (a button with help has a tooltip copy too)."""
    return el.locator("button:visible").first


# -- what each kind of control gets -----------------------------------------------------------


def _slider(page, el, w: Widget) -> None:
    thumb = el.locator("input[type=range]").first
    at_max = thumb.evaluate("i => Number(i.value) >= Number(i.max)")
    thumb.focus()
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")


def _open_list(page, el):
    """Open a select's list of options; return them (a rerun may close it once: retry)."""
    options = page.locator("[role=listbox] [role=option]:visible")
    # In the middle of the window, so the list has room to open (near the bottom of the window
    # it can open with only its first entry shown).
    el.evaluate("e => e.scrollIntoView({block: 'center'})")
    for attempt in range(3):
        el.locator("[role=combobox]" if attempt == 0 else "button[aria-haspopup]").first.click()
        with contextlib.suppress(PlaywrightTimeoutError):
            options.first.wait_for(timeout=3000)
            return options
        settle(page, 10)
    options.first.wait_for(timeout=3000)
    return options


OPTION_STATES = "os => os.map(o => [o.innerText.trim(), o.getAttribute('aria-selected')])"


def _choose(page, el, pick) -> None:
    """Open a select's list and click the option ``pick(states)`` names (index or None).

    A rerun that lands while the list is open closes it: then the list is opened again.
    """
    for attempt in range(3):
        options = _open_list(page, el)
        states = options.evaluate_all(OPTION_STATES)
        index = pick(states)
        if index is None:
            page.keyboard.press("Escape")
            return
        try:
            options.nth(index).click(timeout=5000)
            return
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            settle(page, 10)


def _selectbox(page, el, w: Widget) -> None:
    def following(states):
        now = next((i for i, (_, sel) in enumerate(states) if sel == "true"), -1)
        return (now + 1) % len(states)

    _choose(page, el, following)


def _multiselect(page, el, w: Widget) -> None:
    def unchosen(states):
        free = [i for i, (t, sel) in enumerate(states) if sel != "true" and t != "Select all"]
        return free[0] if free else None

    before = len(w.value.split("|")) if w.value else 0
    _choose(page, el, unchosen)
    page.keyboard.press("Escape")
    now = el.locator("[data-tag]").count()
    if now == before:  # everything was chosen already: remove one instead
        el.locator("[data-tag] button").first.click()


def _radio(page, el, w: Widget) -> None:
    el.locator("[data-testid=stRadioOption]:not([data-selected=true])").first.click()


def _checkbox(page, el, w: Widget) -> None:
    el.locator("label").first.click()


def _number(page, el, w: Widget) -> None:
    up = el.locator("[data-testid=stNumberInputStepUp]")
    (up if up.is_enabled() else el.locator("[data-testid=stNumberInputStepDown]")).click()


def _text(page, el, w: Widget) -> None:
    box = el.locator("input, textarea").first
    box.fill(TEXT_VALUES.get(w.key, w.value + "1"))
    box.press("Enter" if w.kind == "text" and box.evaluate("e => e.tagName") == "INPUT" else "Tab")


def _buttongroup(page, el, w: Widget) -> None:
    # The options only: a help icon is a button in the group's label too. A control that
    # requires a selection ignores a click on its selected option, so click another one.
    off = el.locator(
        "button[aria-checked=false]:not([disabled]), button[aria-pressed=false]:not([disabled])"
    )
    (off.first if off.count() else el.locator("button").first).click()


def _click(page, el, w: Widget) -> None:
    visible_button(el).click()


# The loss chart of a live chart component: its x scale, and the data's x range.
LOSS_X = """() => {
    const u = window.liveCharts && window.liveCharts.loss;
    if (!u) return null;
    return {min: u.scales.x.min, max: u.scales.x.max, n: u.data[0].length};
}"""


def _live_chart(page, el, w: Widget) -> str:
    """Zoom the live view's loss curves by a drag, then reset them by a double-click."""
    frame = el.element_handle().content_frame()
    assert frame is not None, f"{w.id}: the component's iframe has no document"
    whole = frame.evaluate(LOSS_X)
    assert whole is not None, f"{w.id}: a custom component without the live view's charts"
    over = frame.locator("#loss .u-over").first
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    assert box and box["width"] > 50, f"{w.id}: the loss chart's plot area is {box}"
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 0.3 * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.7 * box["width"], y, steps=8)
    page.mouse.up()
    zoomed = frame.evaluate(LOSS_X)
    assert whole["min"] < zoomed["min"] < zoomed["max"] < whole["max"], (
        f"{w.id}: a drag across 30-70 % of the loss chart left its x scale at {zoomed} "
        f"(was {whole})"
    )
    page.mouse.dblclick(box["x"] + box["width"] / 2, y)
    reset = frame.evaluate(LOSS_X)
    assert (reset["min"], reset["max"]) == (whole["min"], whole["max"]), (
        f"{w.id}: a double-click left the x scale at {reset} (the whole run: {whole})"
    )
    return (
        f"x {whole['min']:g}..{whole['max']:g} -> zoom {zoomed['min']:.3g}..{zoomed['max']:.3g}"
        " -> reset"
    )


def _tab(page, el, w: Widget) -> None:
    el.click()


def _expander(page, el, w: Widget) -> None:
    el.locator("summary").first.click()


def _copy(page, el, w: Widget) -> None:
    """Press a code box's Copy button: it says what it did (copied, or selected to copy)."""
    el.locator(".nv-code-copy").click()
    said = el.locator(".nv-code-said")
    said.wait_for(state="visible", timeout=STEP_TIMEOUT_S * 1000)
    assert said.inner_text() in ("Copied", "Selected: press Ctrl+C to copy"), said.inner_text()


ACTIONS = {
    "slider": _slider,
    "selectbox": _selectbox,
    "multiselect": _multiselect,
    "radio": _radio,
    "checkbox": _checkbox,
    "number": _number,
    "text": _text,
    "buttongroup": _buttongroup,
    "button": _click,
    "tab": _tab,
    "expander": _expander,
    "copy": _copy,
}
# How long a control's rerun may take to start: tabs, plain expanders and Copy cause none.
RUN_START = {"tab": 0.6, "expander": 1.0, "copy": 0.6}


# -- downloads and uploads --------------------------------------------------------------------


def check_file(path: Path) -> str:
    """Open a downloaded file by its type; return a summary, raise AssertionError if wrong."""
    data = path.read_bytes()
    assert data, f"{path.name} is empty"
    suffix = path.suffix.lower()
    if suffix == ".png":
        with Image.open(path) as im:
            im.load()
            assert im.format == "PNG", f"{path.name} is a {im.format}, not a PNG"
            assert im.width > 0 and im.height > 0, f"{path.name} is {im.size}"
            return f"PNG {im.width}x{im.height} {im.mode}"
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert rows and all(h.strip() for h in rows[0]), f"{path.name} has no header: {rows[:1]}"
        assert len(rows) >= 2, f"{path.name} has a header and no row"
        ragged = [i for i, r in enumerate(rows) if len(r) != len(rows[0])]
        assert not ragged, f"{path.name}: rows {ragged[:5]} differ in length from the header"
        return f"CSV {len(rows) - 1} rows x {len(rows[0])} columns"
    if suffix == ".py":
        compile(data.decode("utf-8"), path.name, "exec")
        return f"Python {len(data.splitlines())} lines, compiles"
    if suffix == ".npy":
        array = np.load(io.BytesIO(data), allow_pickle=False)
        assert array.size > 0, f"{path.name} holds an empty array {array.shape}"
        assert np.isfinite(array).all(), f"{path.name} holds NaN or inf"
        return f"NumPy {array.dtype} {array.shape}"
    return f"{len(data)} bytes"


def _download(page, el, w: Widget, tmp: Path) -> str:
    with page.expect_download(timeout=DOWNLOAD_S * 1000) as info:
        visible_button(el).click()
    d = info.value
    assert d.failure() is None, f"download {w.label!r} failed: {d.failure()}"
    out = tmp / d.suggested_filename
    d.save_as(out)
    return f"{out.name}: {check_file(out)}"


def upload_files(tmp: Path, accept: str) -> tuple[Path, Path]:
    """A small valid file and an invalid one of a type the uploader accepts."""
    accept = accept.lower()
    if ".png" in accept or "image/" in accept:
        rng = np.random.default_rng(9)
        good = tmp / "tiny.png"
        Image.fromarray(rng.integers(30, 220, (24, 32, 3), dtype=np.uint8)).save(good)
        bad = tmp / "not_an_image.png"
        bad.write_bytes(b"this is not a PNG file\n" * 4)
        return good, bad
    if ".csv" in accept:
        rng = np.random.default_rng(9)
        xy = rng.normal(size=(40, 2))
        good = tmp / "points.csv"
        good.write_text("x,y,label\n" + "".join(f"{x:.4f},{y:.4f},{int(x > 0)}\n" for x, y in xy))
        bad = tmp / "bad_points.csv"
        bad.write_text("x,y,label\n1,2\nfoo,bar,baz\n")
        return good, bad
    raise AssertionError(f"the walker has no sample file for an uploader accepting {accept!r}")


ERRORS = "[data-testid=stMain] [data-testid=stAlertContentError]"
INVALID_CHIP = "[data-testid=stFileChip][aria-invalid=true]"


def _upload(page, el, w: Widget, tmp: Path) -> str:
    field_ = el.locator("input[type=file]").first
    good, bad = upload_files(tmp, field_.get_attribute("accept") or "")
    before = runs(page)
    field_.set_input_files(str(good))
    settle_run(page, before, 8.0)
    errors = page.locator(ERRORS).all_inner_texts()
    assert not errors, f"valid {good.name} gave an error: {errors}"
    before = runs(page)
    field_.set_input_files(str(bad))
    settle_run(page, before, 8.0)
    errors = page.locator(ERRORS).all_inner_texts()
    errors += el.locator(f"{INVALID_CHIP} [role=alert]").all_inner_texts()
    assert errors, f"invalid {bad.name} gave no message"
    message = errors[0].strip().replace("\n", " ")
    # Clear it: the page goes back to what it showed before the uploads.
    for _ in range(3):
        chips = el.locator("[data-testid=stFileChipDeleteBtn] button")
        if not chips.count():
            break
        before = runs(page)
        chips.first.click()
        settle_run(page, before, 3.0)
    return f"{good.name} ok; {bad.name}: {message[:60]!r}"


def _pagelink(page, el, w: Widget, server: Server, path: str) -> str:
    link = el.locator("a").first
    target = link.get_attribute("href") or ""
    try:
        link.click()
        page.wait_for_function("p => location.pathname !== p", arg=path, timeout=15000)
        settle(page, 45)
        landed = page.evaluate("() => location.pathname")
        boxes = exceptions(page)
        assert not boxes, f"{landed} shows an exception box: {boxes[0][:300]}"
        assert page.locator("h1").count(), f"{target} shows no title"
        return f"opened {landed}"
    finally:  # back to the page under test, for its other links
        open_page(page, server, path)


# -- the walk ---------------------------------------------------------------------------------


def _check(page, server: Server, walk: Walk, what: str) -> list[str]:
    """Problems after a step: an exception box, a JS error, a third-party request, a traceback."""
    found = [f"exception box: {text[:400]}" for text in exceptions(page)]
    found = [f for f in found if f not in walk.boxes]
    walk.boxes.update(found)
    if len(page.js_errors) > walk.js_seen:
        stacks = "\n".join(walk.js_stacks[walk.js_seen : walk.js_seen + 2])
        found.append(f"JavaScript errors: {page.js_errors[walk.js_seen :]}\n{stacks}")
        walk.js_seen = len(page.js_errors)
    if len(page.third_party) > walk.third_seen:
        found.append(f"requests beyond the app's server: {page.third_party[walk.third_seen :]}")
        walk.third_seen = len(page.third_party)
    logged = server_errors(server, walk.log_at, flush_s=0.0)
    walk.log_at = log_size(server)
    if logged:
        found.append(f"server log:\n{excerpt(logged, 2500)}")
    return [f"{what}: {f}" for f in found]


def exercise(page, server: Server, walk: Walk, w: Widget, tmp: Path) -> None:
    row = walk.rows[w.id]
    row.done = True
    start = time.monotonic()
    for r in w.reveal:  # show it: the tabs and expanders around it
        before = runs(page)
        page.locator(f"[data-walk-reveal='{r}']").first.click()
        settle_run(page, before, 1.0)
    el = loc(page, w.walk)
    try:
        before = runs(page)
        if w.kind == "download":
            if walk.path == "/lab":  # a download of the history needs one: train one epoch
                step = visible_button(page.locator(".st-key-lab_step"))
                if step.count() and step.is_enabled():
                    step.click()
                    settle_run(page, before, 5.0)
            before = runs(page)
            row.result = _download(page, el, w, tmp)
            settle_run(page, before, 2.0)  # a download button reruns the script by default
        elif w.kind == "uploader":
            row.result = _upload(page, el, w, tmp)
        elif w.kind == "pagelink":
            row.result = _pagelink(page, el, w, server, walk.path)
        elif w.kind == "livechart":  # the view's own zoom: no script run
            row.result = _live_chart(page, el, w)
            settle_run(page, before, 0.5)
        else:
            ACTIONS[w.kind](page, el, w)
            settle_run(page, before, RUN_START.get(w.kind, 3.0))
    except (AssertionError, PlaywrightTimeoutError) as err:
        row.result = f"FAILED: {str(err).splitlines()[0][:120]}"
        walk.problems.append(f"{walk.path} {w.id} ({w.kind}): {err}")
    row.seconds = time.monotonic() - start
    if w.kind in VALUED and not row.result:
        after = {x.id: x for x in scan(page)[0]}
        now = after[w.id].value if w.id in after else "(gone)"
        if is_open_tab(w.kind, now):  # the first tab is shown already: still shown
            row.result = "shown" if w.value == "true" else "'false' -> 'true'"
        elif now == w.value:
            row.result = f"UNCHANGED {w.value!r}"
            walk.problems.append(f"{walk.path} {w.id} ({w.kind}): value stayed {w.value!r}")
        else:
            row.result = f"{w.value[:25]!r} -> {now[:25]!r}"
    elif not row.result:
        row.result = "pressed"
    walk.problems += _check(page, server, walk, f"{walk.path} after {w.id} ({w.kind})")


def walk_order(kind: str, first_seen: int, order: int, open_first: bool) -> tuple[int, float, int]:
    """Which control goes next, smallest first (this walk's and ``bench.bench_controls``').

    The newest first (``first_seen``: the step of the walk that revealed it, while that step
    holds); among those, tabs, expanders and downloads first, page links last; the rest from
    the bottom of the page up (``order``: its position when first seen), because a control
    usually sits above the ones it shows or hides (a technique above its parameters, a mode
    above its preset): those go before it.

    A tab open when first seen goes after the other tabs: tabs built only when open (the lab's
    lessons) take its controls away when another opens; opening it again brings them back.
    """
    group = {"tab": 0, "expander": 1, "download": 2, "pagelink": 4}.get(kind, 3)
    if open_first:
        group = 0.5
    return (-first_seen, group, order if group != 3 else -order)


def is_open_tab(kind: str, value: str) -> bool:
    """Whether a control scanned with ``kind`` and ``value`` is a tab shown open (when first
    seen: :func:`walk_order`'s ``open_first``)."""
    return kind == "tab" and value == "true"


def priority(row: Row) -> tuple[int, float, int]:
    """:func:`walk_order` of a row of this walk."""
    return walk_order(row.kind, row.first_seen, row.order, row.open_first)


def walk_page(page, server: Server, path: str, tmp: Path, prelude=None) -> Walk:
    """Exercise every control of ``path`` once; return what was done and what went wrong."""
    walk = Walk(path)
    # Where each JavaScript error came from (the page fixture keeps only the messages).
    page.on("pageerror", lambda exc: walk.js_stacks.append((exc.stack or "")[:1200]))
    page.set_default_timeout(STEP_TIMEOUT_S * 1000)
    open_page(page, server, path)
    walk.log_at = log_size(server)
    walk.problems += _check(page, server, walk, f"{path} on load")
    done_before = prelude(page) if prelude else []
    counter = 0
    while True:
        widgets, unknown = scan(page)
        walk.unknown.update(unknown)
        for w in widgets:
            if w.id not in walk.rows:
                walk.rows[w.id] = Row(
                    w.id,
                    w.kind,
                    w.label,
                    walk.steps,
                    counter,
                    open_first=is_open_tab(w.kind, w.value),
                )
                counter += 1
                if w.id in done_before:
                    walk.rows[w.id].done = True
                    walk.rows[w.id].result = "pressed before the walk"
        todo = [w for w in widgets if not walk.rows[w.id].done and not w.disabled]
        if not todo:
            break
        if walk.steps >= STEP_CAP:
            walk.problems.append(f"{path}: step cap {STEP_CAP} hit with {len(todo)} left")
            break
        nxt = min(todo, key=lambda w: priority(walk.rows[w.id]))
        walk.steps += 1
        exercise(page, server, walk, nxt, tmp)
    left = [r for r in walk.rows.values() if not r.done]
    if left:
        walk.problems.append(
            f"{path}: seen but never exercised (disabled or gone): {[r.id for r in left]}"
        )
    if walk.unknown:
        walk.problems.append(f"{path}: controls the walker cannot use: {sorted(walk.unknown)}")
    logged = server_errors(server, walk.log_at)
    if logged:
        walk.problems.append(f"{path} at the end: server log:\n{excerpt(logged, 2500)}")
    return walk


def lab_prelude(page) -> list[str]:
    """Start the lab, let it train ``LAB_TRAIN_S`` seconds, pause it: the walk then has a history
    to download. Training keeps the page busy (its live fragment), so every wait is bounded."""
    start = visible_button(page.locator(".st-key-lab_start"))
    pause = visible_button(page.locator(".st-key-lab_pause"))
    start.click()
    pause.wait_for(state="visible")
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-lab_pause button'); "
        "return b && !b.disabled; }",
        timeout=30000,
    )
    page.wait_for_timeout(LAB_TRAIN_S * 1000)
    try:
        pause.click(timeout=20_000)
    except PlaywrightTimeoutError:
        # On a loaded machine the live charts may keep the button from counting as "stable"
        # for Playwright's click; the user's click is the same DOM event.
        pause.dispatch_event("click")
    page.wait_for_function(
        "() => { const b = document.querySelector('.st-key-lab_start button'); "
        "return b && !b.disabled; }",
        timeout=30000,
    )
    settle(page, 30)
    return ["lab_start", "lab_pause"]


def report(walk: Walk, seconds: float) -> str:
    rows = sorted(walk.rows.values(), key=lambda r: r.order)
    width = max((len(r.id) for r in rows), default=10)
    lines = [
        f"\n{walk.path}: {sum(r.done for r in rows)} of {len(rows)} controls exercised in "
        f"{walk.steps} steps, {seconds:.0f} s"
    ]
    for r in rows:
        mark = "ok " if r.done and not r.result.startswith(("FAILED", "UNCHANGED")) else "!! "
        lines.append(f"  {mark}{r.id:<{width}} {r.kind:<11} {r.seconds:5.1f}s  {r.result}")
    return "\n".join(lines)


@pytest.mark.timeout(420)
@pytest.mark.parametrize("path", PAGES)
def test_every_control_works(page, server, path, tmp_path):
    start = time.monotonic()
    walk = walk_page(page, server, path, tmp_path, lab_prelude if path == "/lab" else None)
    took = time.monotonic() - start
    print(report(walk, took))
    if walk.problems:
        with contextlib.suppress(Exception):
            shoot(page, "walk_" + (path.strip("/") or "home"))
    assert not walk.problems, "\n".join(walk.problems)
    missing = REQUIRED.get(path, set()) - {r.id for r in walk.rows.values() if r.done}
    assert not missing, f"{path}: never exercised {sorted(missing)}"
    exercised = sum(r.done for r in walk.rows.values())
    assert exercised >= MINIMUM[path], (
        f"{path}: only {exercised} controls exercised, expected at least {MINIMUM[path]}"
    )


def test_server_log_check_flags_tracebacks_and_not_startup_lines(tmp_path):
    """The log check the ``page`` fixture runs: startup lines pass, any traceback fails."""
    from types import SimpleNamespace

    log = tmp_path / "server.log"
    log.write_text(
        "2026-11-30 12:29:09.924 Uvicorn server started on 127.0.0.1:8779\n\n"
        "  You can now view your Streamlit app in your browser.\n\n"
        "  URL: http://127.0.0.1:8779\n\n"
    )
    server = SimpleNamespace(log=log)
    assert server_errors(server, 0, flush_s=0) == ""
    start = log_size(server)
    with log.open("a") as f:  # defect 18 as the server logged it: no script run failed
        f.write(
            "2026-11-30 12:32:50.467 Error executing deferred callable for file_id 4a8a\n"
            "Traceback (most recent call last):\n"
            '  File "/work/main/pages/_lab_lessons.py", line 143, in <lambda>\n'
            "streamlit.runtime.media_file_storage.MediaFileStorageError: Callable execution "
            "failed\n"
        )
    logged = server_errors(server, start, flush_s=0)
    assert "MediaFileStorageError" in logged
    assert excerpt(logged).startswith("2026-11-30 12:32:50.467 Error executing deferred")
    # Only what came after ``since`` counts: a later test does not inherit an earlier failure.
    assert server_errors(server, log_size(server), flush_s=0) == ""
    duplicated = (
        '2026-11-30 14:40:01.000 The widget with key "lab_dropout" was created with a default '
        "value but also had its value set via the Session State API."
    )
    for line in ("Uncaught app execution", "ImportError: cannot import name 'x'", "KeyError",
                 duplicated):  # fmt: skip
        assert SERVER_ERROR.search(line), line
