"""The regularization lab in a real browser: a shared URL sets it up, it trains, it pauses."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from pages._lab_lessons import TABS
from tests.e2e.conftest import (
    LIVE_CHART,
    check_page,
    exceptions,
    open_page,
    runs,
    settle,
    settle_after,
    shoot,
    status_lines,
)

# The live view: one components.v1 iframe in the element container keyed ``lab_live``, served
# from the app's own /component/ route; inside it the test hooks of docs/live-view.md:
# ``window.liveStats`` (renders = payloads applied, rows = history rows held for the first run)
# and ``window.liveCharts`` (the uPlot charts loss, acc, norm, hist[] and the boundaries[]).
LIVE = f".st-key-lab_live {LIVE_CHART}"
STATS = "() => ({...window.liveStats})"
# History rows each run holds, in the order of the runs (the accuracy chart's train series, one
# per run: never null, unlike a loss of a run that diverged). A previous run drawn faint after a
# restart (its legend says "previous run") is not a run.
RUN_ROWS = """() => {
    const u = window.liveCharts.acc;
    const out = [];
    for (let i = 1; i < u.series.length; i += 2) {
        if (!(u.series[i].label || '').includes('previous run'))
            out.push(u.data[i].filter(v => v != null).length);
    }
    return out;
}"""
LOSS_LABELS = "() => window.liveCharts.loss.series.slice(1).map(s => s.label)"
# The loss chart's x scale and its data's x range.
X_SCALE = """() => {
    const u = window.liveCharts.loss;
    const x = u.data[0];
    return {min: u.scales.x.min, max: u.scales.x.max, first: x[0], last: x[x.length - 1],
            n: x.length};
}"""


def _lesson(page, name: str) -> None:
    """Open the lessons' tab ``name`` (:data:`pages._lab_lessons.TABS`) and wait for its run."""
    before = runs(page)
    page.get_by_role("tab", name=TABS[name]).click()
    settle_after(page, before)


def _live(page, timeout_s: float = 45):
    """The live view's frame, once it has applied a payload (a reload makes a new one)."""
    handle = page.wait_for_selector(LIVE, timeout=timeout_s * 1000)
    frame = handle.content_frame()
    assert frame is not None, "the live view's iframe has no document"
    frame.wait_for_function(
        "() => window.liveStats && window.liveStats.renders > 0", timeout=timeout_s * 1000
    )
    return frame


def _stats(page) -> dict:
    return _live(page).evaluate(STATS)


def _run_rows(page) -> list[int]:
    return _live(page).evaluate(RUN_ROWS)


def _wait_renders(frame, more_than: int, timeout_s: float = 30) -> dict:
    """Wait until the frame has applied more than ``more_than`` payloads; return its stats."""
    frame.wait_for_function(
        "n => window.liveStats.renders > n", arg=more_than, timeout=timeout_s * 1000
    )
    return frame.evaluate(STATS)


def _slider_value(page, key: str) -> str:
    # Streamlit 1.67's slider is a react-aria range input inside the keyed element container.
    return page.locator(f".st-key-{key} input[type=range]").first.input_value()


def _number_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").first.input_value()


def test_shared_url_sets_the_lab_up(page, server):
    took = open_page(page, server, "/lab?dropout=0.3&seed=7")
    print(f"\nlab from a shared URL settled in {took:.1f} s")
    check_page(page)
    assert float(_slider_value(page, "lab_dropout")) == 0.3
    assert _number_value(page, "lab_seed") == "7"
    # The page keeps its settings in its own address, so copying it shares them.
    query = parse_qs(urlparse(page.url).query)
    assert query.get("dropout") == ["0.3"]
    assert query.get("seed") == ["7"]
    shoot(page, "lab_from_url")


def test_shared_url_under_a_slow_browser(page, server):
    """Defect: on a busy machine a shared link showed (and then trained) every slider's minimum.

    A browser slowed down 8x (Chromium's CPU throttling, as on a loaded class server) had not
    mounted the controls when the newcomer's chart rerun re-sent them FIRST_DRAW_S later; the
    elements carried Streamlit's defaults, not the link's values, so the page showed Dropout 0,
    Points 20, Seed 0, an empty Hidden layers, and sent them back on the next click.
    """
    open_page(page, server, "/lab")  # a warm server and browser cache, as in class
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 8})
    try:
        page.goto(server.url + "/lab?dropout=0.3&seed=7&n_samples=600&hidden=32-8")
        _live(page, 120)  # the chart rerun came and the live view drew
        settle(page, 120)
        shown = {
            "dropout": _slider_value(page, "lab_dropout"),
            "n_samples": _slider_value(page, "lab_n_samples"),
            "seed": _number_value(page, "lab_seed"),
            "hidden": _number_value(page, "lab_hidden"),
        }
        assert shown == {"dropout": "0.3", "n_samples": "600", "seed": "7", "hidden": "32-8"}
        before = runs(page)
        page.locator(".st-key-lab_reset button").click()  # a rerun carries the browser's values
        settle_after(page, before, 120)
    finally:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    query = parse_qs(urlparse(page.url).query)
    assert query.get("dropout") == ["0.3"] and query.get("n_samples") == ["600"]
    assert query.get("seed") == ["7"] and query.get("hidden") == ["32-8"]
    check_page(page)


def test_lab_trains_then_pauses(page, server):
    loaded = open_page(page, server, "/lab?seed=3")
    assert exceptions(page) == []
    live = _live(page)
    before = live.evaluate(STATS)
    assert before["rows"] == 1, before  # epoch 0 only
    start = page.locator(".st-key-lab_start button")
    pause = page.locator(".st-key-lab_pause button")
    assert pause.is_disabled(), "Pause is enabled before training started"
    t0 = time.monotonic()
    start.click()
    # Training: the live fragment sends the mounted view new rows on its timer, without a page
    # rerun and without a new iframe.
    first = _wait_renders(live, before["renders"], 30)
    t1 = time.monotonic()
    later = _wait_renders(live, first["renders"] + 9, 30)
    t2 = time.monotonic()
    assert later["rows"] > before["rows"], (before, later)
    print(
        f"\nlab: first update {t1 - t0:.1f} s after Start, 10 more in {t2 - t1:.1f} s "
        f"({later['lastRenderMs']:.1f} ms the last)"
    )
    shoot(page, "lab_training")
    expect(pause).to_be_enabled()
    pause.click()
    # Paused: Start is enabled again once the rerun that handled Pause has finished.
    expect(start).to_be_enabled(timeout=30_000)
    t3 = time.monotonic()
    settled = settle(page, timeout_s=30)
    print(f"lab: loaded in {loaded:.1f} s, paused in {t3 - t2:.1f} s, settled {settled:.1f} s")
    assert _live(page) == live, "the live view's iframe was replaced"
    paused = live.evaluate(STATS)
    page.wait_for_timeout(3000)
    assert live.evaluate(STATS)["renders"] == paused["renders"], "the view still updates"
    # The view holds what the status line says: epochs 0..N, one row each.
    epoch = int(_wait_statuses(page, [str(paused["rows"] - 1)])[0]["epoch"])
    assert paused["rows"] == epoch + 1 >= later["rows"]
    assert _run_rows(page) == [epoch + 1]
    assert exceptions(page) == []
    check_page(page)
    shoot(page, "lab_paused")


def _drag(page, frame, chart: str, start: float, stop: float) -> None:
    """Drag across chart ``chart``'s plot area from ``start`` to ``stop`` (fractions of its
    width), at half its height, with the real mouse."""
    over = frame.locator(f"#{chart} .u-over").first
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    assert box and box["width"] > 50, f"the {chart} chart's plot area is {box}"
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + start * box["width"], y)
    page.mouse.down()
    page.mouse.move(box["x"] + stop * box["width"], y, steps=8)
    page.mouse.up()


def _double_click(page, frame, chart: str) -> None:
    over = frame.locator(f"#{chart} .u-over").first
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


ACC_X = "() => [window.liveCharts.acc.scales.x.min, window.liveCharts.acc.scales.x.max]"


def test_zoom_survives_ticks(page, server):
    """A drag-zoom on the loss curves while training stays through the next updates and the
    page rerun of Pause; a double-click returns to the whole run (before, every tick remounted
    the Plotly charts and lost the zoom)."""
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    live.wait_for_function("() => window.liveStats.rows >= 8", timeout=60_000)
    _drag(page, live, "loss", 0.25, 0.6)
    zoomed = live.evaluate(X_SCALE)
    acc = live.evaluate(ACC_X)
    # Inside the run's x range (which grows while the drag happens): a quarter to 60 % of it.
    assert zoomed["first"] < zoomed["min"] < zoomed["max"] < zoomed["last"], zoomed
    # The accuracy curves zoom with them (uPlot's cursor sync): to about the same range (a tick
    # that rescales x during the drag can move one chart's edge by a row, see the report).
    assert zoomed["first"] < acc[0] < acc[1] < zoomed["last"], (acc, zoomed)
    after = _wait_renders(live, live.evaluate(STATS)["renders"] + 4, 30)  # 5 more updates
    kept = live.evaluate(X_SCALE)
    assert after["rows"] > 1 and kept["last"] > zoomed["last"], (zoomed, kept)  # still training
    assert (kept["min"], kept["max"]) == (zoomed["min"], zoomed["max"]), (zoomed, kept)
    assert live.evaluate(ACC_X) == acc
    # Pause reruns the whole page: the mounted view applies its payload and keeps the zoom.
    renders = live.evaluate(STATS)["renders"]
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    assert _live(page) == live, "the live view's iframe was replaced"
    paused = live.evaluate(X_SCALE)
    assert live.evaluate(STATS)["renders"] > renders
    assert (paused["min"], paused["max"]) == (zoomed["min"], zoomed["max"]), (zoomed, paused)
    assert live.evaluate(ACC_X) == acc
    _double_click(page, live, "loss")
    reset = live.evaluate(X_SCALE)
    assert (reset["min"], reset["max"]) == (reset["first"], reset["last"]), reset
    assert live.evaluate(ACC_X) == [reset["first"], reset["last"]]  # the curves together
    assert reset["last"] > zoomed["max"], (zoomed, reset)
    check_page(page)


# The loss chart's cursor and what its legend reads: the x value shown, and the x of the row
# under the cursor.
HOVER = """() => {
    const u = window.liveCharts.loss;
    const i = u.cursor.idx;
    const shown = Array.from(u.root.querySelectorAll('.u-legend .u-value')).map(e => e.innerText);
    return {left: u.cursor.left, idx: i, x: i == null ? null : u.data[0][i], shown: shown};
}"""


def test_hover_survives_ticks(page, server):
    """The mouse resting on the loss chart while training: the cursor stays where it is through
    the next updates, and the legend reads the row under it (not the newest row)."""
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    live.wait_for_function("() => window.liveStats.rows >= 8", timeout=60_000)
    over = live.locator("#loss .u-over").first
    over.scroll_into_view_if_needed()
    box = over.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5)
    live.wait_for_function("() => window.liveCharts.loss.cursor.idx != null", timeout=10_000)
    before = live.evaluate(HOVER)
    after = _wait_renders(live, live.evaluate(STATS)["renders"] + 4, 30)  # 5 more updates
    hover = live.evaluate(HOVER)
    assert hover["left"] == before["left"] and hover["idx"] is not None, (before, hover)
    assert after["rows"] - 1 > hover["x"], (after, hover)  # a row of the past, not the newest
    assert hover["shown"][0] == f"{hover['x']:,}", hover  # the legend's x: the cursor's row
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    check_page(page)


def _log_size(server) -> int:
    return Path(server.log).stat().st_size


def _new_log(server, since: int) -> str:
    """What the server wrote to its log after byte ``since``."""
    with Path(server.log).open("rb") as f:
        f.seek(since)
        return f.read().decode("utf-8", "replace")


STATUS = re.compile(
    r"epoch (?P<epoch>\d+) · (?P<step>[\d,]+) updates · train loss (?P<train_loss>[\d.]+) · "
    r"test loss (?P<test_loss>[\d.]+) · test accuracy (?P<test_acc>\d+)%"
)


def _statuses(page) -> list[dict[str, str]]:
    """The live view's status line of each run, as the page shows it."""
    return [m.groupdict() for t in status_lines(page) for m in STATUS.finditer(t)]


def _wait_statuses(page, epochs: list[str], timeout_s: float = 30) -> list[dict[str, str]]:
    """Poll until the status lines show ``epochs`` (one per run); return them."""
    end = time.monotonic() + timeout_s
    shown = _statuses(page)
    while [s["epoch"] for s in shown] != epochs and time.monotonic() < end:
        page.wait_for_timeout(200)
        shown = _statuses(page)
    assert [s["epoch"] for s in shown] == epochs, shown
    return shown


def _download_csv(page, key: str) -> tuple[str, list[dict[str, str]]]:
    """Click the download button ``key``; return the file's suggested name and its rows."""
    with page.expect_download(timeout=30_000) as info:
        page.locator(f".st-key-{key} button").first.click()
    download = info.value
    assert download.failure() is None, f"{key}: the download failed: {download.failure()}"
    text = Path(download.path()).read_text()
    return download.suggested_filename, list(csv.DictReader(io.StringIO(text)))


def _step(page, times: int) -> None:
    for _ in range(times):
        before = runs(page)
        page.locator(".st-key-lab_step button").first.click()
        settle_after(page, before)


def test_history_downloads_hold_the_runs_shown(page, server):
    log_from = _log_size(server)
    open_page(page, server, "/lab?seed=3&batch_size=256")
    _step(page, 2)
    shown = _wait_statuses(page, ["2"])
    _lesson(page, "home")
    name, rows = _download_csv(page, "lab_download")
    assert name == "normviz_lab_history.csv"
    assert list(rows[0])[:3] == ["epoch", "step", "train_loss"]
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]  # one row per recorded epoch
    last = rows[-1]
    assert f"{float(last['train_loss']):.3f}" == shown[0]["train_loss"]
    assert f"{float(last['test_loss']):.3f}" == shown[0]["test_loss"]
    assert f"{int(last['step']):,}" == shown[0]["step"]
    assert f"{float(last['test_acc']):.0%}" == shown[0]["test_acc"] + "%"

    open_page(page, server, "/lab?seed=3&mode=compare&preset=L1%20vs%20L2")
    _step(page, 1)
    shown = _wait_statuses(page, ["1", "1"])
    _lesson(page, "home")
    for key, status, file in zip(
        ("lab_download_A", "lab_download_B"), shown, ("_A", "_B"), strict=True
    ):
        name, rows = _download_csv(page, key)
        assert name == f"normviz_lab_history{file}.csv"
        assert [int(r["epoch"]) for r in rows] == [0, 1]
        assert f"{float(rows[-1]['test_loss']):.3f}" == status["test_loss"]
    check_page(page)
    page.wait_for_timeout(500)  # a failing generator logs on the server after the click
    new = _new_log(server, log_from)
    assert "Traceback" not in new, f"the server logged a traceback:\n{new[-3000:]}"


def _rows_match_statuses(page, timeout_s: float = 30) -> list[int]:
    """Wait until every run's rows in the view equal its status line's epoch + 1; return them."""
    end = time.monotonic() + timeout_s
    while True:
        epochs = [int(s["epoch"]) for s in _statuses(page)]
        rows = _run_rows(page)
        if epochs and rows == [e + 1 for e in epochs]:
            return rows
        if time.monotonic() > end:
            raise AssertionError(f"the view holds {rows} rows, the status lines say {epochs}")
        page.wait_for_timeout(200)


def test_step_adds_one_epochs_row(page, server):
    open_page(page, server, "/lab?seed=3&batch_size=64")
    live = _live(page)
    assert _rows_match_statuses(page) == [1]
    _step(page, 1)
    _wait_statuses(page, ["1"])
    assert _rows_match_statuses(page) == [2]
    _step(page, 1)
    _wait_statuses(page, ["2"])
    assert _rows_match_statuses(page) == [3]
    page.wait_for_timeout(1500)  # a Step trains one epoch, then pauses
    assert live.evaluate(STATS)["rows"] == 3
    # The rows are the run's epochs 0, 1, 2 on the curves' x axis, in order.
    assert live.evaluate("() => Array.from(window.liveCharts.loss.data[0])") == [0, 1, 2]
    assert _live(page) == live, "the live view's iframe was replaced"
    check_page(page)


def test_reset_replaces_the_run(page, server):
    open_page(page, server, "/lab?seed=3&batch_size=64")
    _step(page, 2)
    _wait_statuses(page, ["2"])
    assert _rows_match_statuses(page) == [3]
    trained = _live(page).evaluate("() => Array.from(window.liveCharts.loss.data[1])")
    before = runs(page)
    page.locator(".st-key-lab_reset button").click()
    settle_after(page, before)
    _wait_statuses(page, ["0"])
    assert _rows_match_statuses(page) == [1]
    fresh = _live(page).evaluate("() => Array.from(window.liveCharts.loss.data[1])")
    assert fresh == trained[:1], (fresh, trained)  # the same seed: the same epoch 0
    check_page(page)


TRAIN_LOSS = "() => Array.from(window.liveCharts.loss.data[1])"


def test_a_live_setting_changes_the_run_in_place(page, server):
    """Dropout up one notch after an epoch: the network takes it on (Trainer.reconfigure), so
    the view keeps the run's rows and the next epoch adds to them."""
    open_page(page, server, "/lab?seed=3&batch_size=64")
    _step(page, 1)
    _wait_statuses(page, ["1"])
    live = _live(page)
    old = live.evaluate(TRAIN_LOSS)
    dropout = page.locator(".st-key-lab_dropout input[type=range]").first
    value = float(dropout.input_value())
    before = runs(page)
    dropout.focus()
    page.keyboard.press("ArrowRight")
    settle_after(page, before)
    assert float(_slider_value(page, "lab_dropout")) > value
    assert _rows_match_statuses(page) == [2]
    assert live.evaluate(TRAIN_LOSS) == old
    _step(page, 1)
    _wait_statuses(page, ["2"])
    assert _rows_match_statuses(page) == [3]
    assert live.evaluate(TRAIN_LOSS)[:2] == old
    assert not [x for x in live.evaluate(LOSS_LABELS) if "previous run" in x]
    check_page(page)


def test_a_restarting_setting_shows_the_new_run(page, server):
    """A new seed cannot be taken on by a network in training: the view shows the new run from
    epoch 0 and the previous one faint, named in the legend by what differed."""
    open_page(page, server, "/lab?seed=3&batch_size=64")
    _step(page, 2)
    _wait_statuses(page, ["2"])
    old = _live(page).evaluate(TRAIN_LOSS)
    before = runs(page)
    page.locator(".st-key-lab_seed [data-testid=stNumberInputStepUp]").click()
    settle_after(page, before)
    assert _number_value(page, "lab_seed") == "4"
    _wait_statuses(page, ["0"])
    assert _rows_match_statuses(page) == [1]
    labels = _live(page).evaluate(LOSS_LABELS)
    ghosts = [x for x in labels if "previous run" in x]
    assert len(ghosts) == 2 and all("seed 3" in x for x in ghosts), labels  # train and test
    _step(page, 1)
    _wait_statuses(page, ["1"])
    assert _rows_match_statuses(page) == [2]
    new = _live(page).evaluate(TRAIN_LOSS)
    assert new[:2] != old[:2], (old, new)  # another seed, another run
    check_page(page)


def _train_and_pause(page, rows: int) -> dict:
    """Start, train until the view holds ``rows`` rows or more, pause; return its stats."""
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    live.wait_for_function("n => window.liveStats.rows >= n", arg=rows, timeout=60_000)
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    return live.evaluate(STATS)


def test_a_reload_shows_the_whole_history(page, server):
    """A reloaded page's new iframe holds nothing: it shows what the status line says, the whole
    history, without training further."""
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    paused = _train_and_pause(page, 4)
    epoch = int(_statuses(page)[0]["epoch"])
    assert paused["rows"] == epoch + 1
    page.reload()
    settle(page)
    shown = _statuses(page)
    assert len(shown) == 1, shown
    rows = _rows_match_statuses(page)
    stats = _stats(page)
    print(f"\nreload: epoch {epoch} before, {shown[0]['epoch']} after; view {stats}")
    assert stats["rows"] == rows[0] == int(shown[0]["epoch"]) + 1
    page.wait_for_timeout(1500)
    assert int(_statuses(page)[0]["epoch"]) == int(shown[0]["epoch"]), "it trains after a reload"
    expect(page.locator(".st-key-lab_start button")).to_be_enabled()
    check_page(page)


def test_a_remounted_view_is_rebuilt_from_the_whole_history(page, server):
    """Another lesson and back in the same session: the lab's run is kept on the server, the new
    iframe holds nothing and the feed believes the browser holds every row; the view asks for
    what it lacks and shows the whole history (rows == epochs + 1)."""
    open_page(page, server, "/lab?seed=3&max_epochs=100000")
    paused = _train_and_pause(page, 4)
    epoch = int(_statuses(page)[0]["epoch"])
    for title in ("Image normalization", "Regularization lab"):
        before = runs(page)
        page.locator("[data-testid=stSidebarNav] a", has_text=title).click()
        settle_after(page, before)
    assert _wait_statuses(page, [str(epoch)])[0]["epoch"] == str(epoch), "the run was lost"
    live = _live(page)
    assert _rows_match_statuses(page) == [paused["rows"]]
    stats = live.evaluate(STATS)
    assert stats["rows"] == epoch + 1, stats
    print(f"\nremount: {epoch} epochs shown again; the new view asked {stats['requests']} times")
    check_page(page)


def test_compare_mode_draws_both_runs(page, server):
    open_page(page, server, "/lab?seed=3&mode=compare&preset=L1%20vs%20L2")
    live = _live(page)
    assert live.evaluate("() => window.liveCharts.boundaries.length") == 2
    assert live.evaluate("() => window.liveCharts.hist.length") == 2
    _step(page, 2)
    _wait_statuses(page, ["2", "2"])
    assert _rows_match_statuses(page) == [3, 3]
    labels = live.evaluate("() => window.liveCharts.loss.series.slice(1).map(s => s.label)")
    assert [lab.split()[0] for lab in labels] == ["A", "A", "B", "B"], labels
    # Both boundaries are drawn: each heat map has a colour at the centre of the plane.
    pixels = live.evaluate("() => window.liveCharts.boundaries.map(b => b.pixelAt(0, 0))")
    assert all(p and p[3] == 255 for p in pixels), pixels
    # Back to one network: one boundary, one run's rows.
    before = runs(page)
    page.locator(".st-key-lab_mode button").filter(has_text="One network").click()
    settle_after(page, before)
    _wait_statuses(page, ["0"])
    assert _rows_match_statuses(page) == [1]
    # (Streamlit mounts a new iframe here: the page has one element fewer above the live view.)
    assert _live(page).evaluate("() => window.liveCharts.boundaries.length") == 1
    # And Compare again: the preset chosen before comes back (its state was dropped with its
    # selectbox, and the mode's callback raised a KeyError; the page fixture fails on it).
    before = runs(page)
    page.locator(".st-key-lab_mode button").filter(has_text="Compare A and B").click()
    settle_after(page, before)
    assert _live(page).evaluate("() => window.liveCharts.boundaries.length") == 2
    assert "preset=L1+vs+L2" in page.url or "preset=L1%20vs%20L2" in page.url, page.url
    check_page(page)


def test_a_change_of_the_frames_height_alone_draws_nothing_again(page, server):
    """The live view's frame grows with its content: Compare A and B makes it taller. The
    charts' sizes follow the width only, so that resize draws nothing again (it redrew every
    chart and boundary on each mode switch, preset and reset); a change of width does."""
    open_page(page, server, "/lab?seed=3")
    live = _live(page)
    start = live.evaluate(STATS)
    height = live.evaluate("() => innerHeight")
    before = runs(page)
    page.locator(".st-key-lab_mode button").filter(has_text="Compare A and B").click()
    settle_after(page, before)
    _wait_renders(live, start["renders"])
    assert _live(page) == live  # the same frame, resized
    live.wait_for_function("h => innerHeight > h", arg=height, timeout=30_000)
    page.wait_for_timeout(500)  # a resize's redraw waits for an animation frame
    assert live.evaluate("() => window.liveCharts.boundaries.length") == 2
    assert live.evaluate(STATS)["resized"] == start["resized"]
    # Narrower (the centred layout needs a phone's width): the charts are drawn again, each on a
    # row of its own now, as wide as the frame.
    width = live.evaluate("() => window.liveCharts.loss.width")
    page.set_viewport_size({"width": 500, "height": 1000})
    live.wait_for_function("n => window.liveStats.resized > n", arg=start["resized"])
    live.wait_for_function(
        "w => window.liveCharts.loss.width !== w"
        " && window.liveCharts.loss.width === document.documentElement.clientWidth",
        arg=width,
    )
    check_page(page)


# Each curve chart's x axis title and x values.
AXES_STATE = """() => ['loss', 'acc', 'norm'].map(k => {
    const u = window.liveCharts[k];
    return [u.axes[0].label, Array.from(u.data[0])];
})"""


def test_x_axis_control_redraws_the_curves(page, server):
    log_from = _log_size(server)
    open_page(page, server, "/lab?seed=3&batch_size=64&n_samples=200")  # 2 updates an epoch
    _step(page, 3)
    _wait_statuses(page, ["3"])
    assert _rows_match_statuses(page) == [4]
    live = _live(page)
    assert live.evaluate(AXES_STATE) == [["epoch", [0, 1, 2, 3]]] * 3
    for label, title, xs in (
        ("Updates (optimizer steps)", "updates", [0, 2, 4, 6]),
        ("Samples seen", "samples seen", [0, 100, 200, 300]),
    ):
        before = runs(page)
        page.locator(".st-key-lab_x_axis label").filter(has_text=label).click()
        settle_after(page, before)
        live.wait_for_function(
            "t => window.liveCharts.loss.axes[0].label === t", arg=title, timeout=20_000
        )
        assert live.evaluate(AXES_STATE) == [[title, xs]] * 3
        assert _rows_match_statuses(page) == [4]  # relabelled, no row lost
    assert _live(page) == live, "the live view's iframe was replaced"
    check_page(page)
    assert "Traceback" not in _new_log(server, log_from)


def test_the_lab_talks_only_to_its_own_server(page, server):
    """Every request of the lab, the live view's iframe included, goes to the app's server; the
    component's page and files come from its ``/component/`` route."""
    requests: list[tuple[str, str]] = []
    page.on("request", lambda r: requests.append((r.frame.url, r.url)))
    open_page(page, server, "/lab?seed=3")
    live = _live(page)
    page.locator(".st-key-lab_start button").click()
    _wait_renders(live, live.evaluate(STATS)["renders"] + 5, 30)
    page.locator(".st-key-lab_pause button").click()
    expect(page.locator(".st-key-lab_start button")).to_be_enabled(timeout=30_000)
    settle(page, 30)
    component = server.url + "/component/"
    stream = server.url + "/_nv/live/"  # the live view's Server-Sent Events
    src = page.locator(LIVE).get_attribute("src") or ""
    assert src.startswith(component), src
    assert live.url.startswith(component), live.url
    # What the component's document loaded (resource timing sees cached files too).
    loaded = live.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    names = {u.split("?")[0].rsplit("/", 1)[-1] for u in loaded}
    assert {"live.js", "live.css", "uPlot.iife.min.js", "uPlot.min.css"} <= names, loaded
    assert all(u.startswith((component, stream)) for u in loaded), loaded
    from_frame = [u for f, u in requests if f.startswith(component)]
    assert from_frame and all(u.startswith((component, stream)) for u in from_frame), from_frame
    # It followed its stream (a response still open is not in resource timing yet).
    assert any(u.startswith(stream) for u in from_frame), from_frame
    elsewhere = [u for _, u in requests if not u.startswith((server.url + "/", "data:", "blob:"))]
    assert elsewhere == [], elsewhere
    check_page(page)  # no request refused by the suite's loopback-only route either
    # That route covers the component's frame too: a request from it to another host is refused
    # and recorded (a probe to TEST-NET-1, which is then forgotten).
    live.evaluate("() => fetch('http://192.0.2.1/probe').then(() => 'sent', () => 'refused')")
    assert page.third_party == ["http://192.0.2.1/probe"], page.third_party
    page.third_party.clear()


def test_batch_size_study_runs_from_its_button(page, server):
    log_from = _log_size(server)
    open_page(page, server, "/lab?seed=3")  # the study's own base (moons), 1 epoch per run
    _wait_statuses(page, ["0"])
    _lesson(page, "study")
    epochs = page.locator(".st-key-lab_study_epochs input").first
    epochs.fill("1")
    before = runs(page)
    epochs.press("Enter")
    settle_after(page, before)
    t0 = time.monotonic()
    page.locator(".st-key-lab_study_run button").first.click()
    study = page.locator(".st-key-lab_fig_study .nv-chart")
    expect(study).to_be_visible(timeout=30_000)
    took = time.monotonic() - t0
    print(f"\nbatch-size study (6 sizes x 3 norms x 1 epoch) shown {took:.1f} s after the click")
    names = page.locator(".st-key-lab_fig_study .nv-legend-item").all_inner_texts()
    assert [n.strip() for n in names] == ["BatchNorm", "GroupNorm", "LayerNorm"]
    assert page.locator(".st-key-lab_fig_study .nv-point").count() == 18
    # no Plotly chart and no data grid for the study: HTML drawn with the page
    assert page.locator(".st-key-lab_fig_study .js-plotly-plot").count() == 0
    table = page.locator(".st-key-lab_study_table table")
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() == 3
    box = study.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 250
    expect(page.locator(".st-key-lab_study_run button").first).to_be_disabled()  # cached
    check_page(page)
    assert "Traceback" not in _new_log(server, log_from)


def test_lesson_sections_rerun_alone(page, server):
    """The lessons' tabs, the calculator, the study's settings and the lazy expanders rerun only
    their section.

    A full page run sends the live view a new payload (its ``renders`` grow); a section's
    fragment rerun sends it nothing. A lab setting (the seed) is the control that must reach it.
    """
    open_page(page, server, "/lab?seed=3")
    _wait_statuses(page, ["0"])
    live = _live(page)
    renders = live.evaluate(STATS)["renders"]

    def act(do) -> None:
        before = runs(page)
        do()
        settle_after(page, before)

    def press_enter(key: str, value: str):
        def do() -> None:
            box = page.locator(f".st-key-{key} input").first
            box.fill(value)
            box.press("Enter")

        return do

    _lesson(page, "calculator")
    act(press_enter("lab_calc_epochs", "7"))
    _lesson(page, "study")
    act(press_enter("lab_study_epochs", "2"))
    _lesson(page, "home")
    act(lambda: page.locator(".st-key-lab_code summary").first.click())
    expect(page.locator(".st-key-lab_code .nv-codebox pre").first).to_contain_text("torch")
    _lesson(page, "maths")
    act(lambda: page.locator(".st-key-lab_l1_bug summary").first.click())
    expect(page.locator(".st-key-lab_l1_bug .nv-codebox pre").first).to_contain_text("abs")
    assert live.evaluate(STATS)["renders"] == renders, "a section's control reran the page"
    assert _live(page) == live
    act(press_enter("lab_seed", "4"))  # a lab setting: the page and its live view run again
    live.wait_for_function("n => window.liveStats.renders > n", arg=renders, timeout=30_000)
    check_page(page)


# Counts the times the History (CSV) download, in the lessons below the live view, was shown
# stale: a run of the whole page marks every element stale until the script sends it again; a
# fragment's rerun alone leaves the elements outside the fragment as they are.
WATCH_LESSON = """() => {
    window.__lessonStale = 0;
    new MutationObserver((changes) => {
        for (const c of changes) {
            const el = c.target;
            if (el.getAttribute('data-stale') === 'true'
                && (el.matches('.st-key-lab_download')
                    || el.querySelector('.st-key-lab_download'))) window.__lessonStale += 1;
        }
    }).observe(document, {attributes: true, attributeFilter: ['data-stale'], subtree: true});
}"""


TAB_BAR = TABS["study"].encode()
"""A label of the lessons' tabs: only a run of the whole page (or a tab switch) sends it."""


def test_run_buttons_and_the_axis_rerun_the_live_panel_alone(page, server):
    """Step and the curves' axis rerun the live panel alone: the lessons are not run again (the
    server sends no lessons' tabs, the History download never goes stale), yet the view shows the
    new epoch and axis and the address follows. A setting that changes the controls' look (the
    L1 method: L1's help follows it) runs the whole page: the lessons' tabs are sent again.

    (Whether the browser marks an element stale depends on how its renders fall against the
    run's messages: a quick page run may re-send the download before any render marks it. So
    what ran is read from the messages the page received.)"""
    received: list[bytes] = []  # the server's messages (protobuf), as the page received them

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda f: received.append(f if isinstance(f, bytes) else f.encode()))

    page.on("websocket", on_socket)
    open_page(page, server, "/lab?seed=3")
    _wait_statuses(page, ["0"])
    _lesson(page, "home")
    expect(page.locator(".st-key-lab_download").first).to_be_visible()
    assert TAB_BAR in b"".join(received)  # the page run sent it: the check can see it
    page.evaluate(WATCH_LESSON)
    received.clear()

    def act(do) -> None:
        before = runs(page)
        do()
        settle_after(page, before)

    act(lambda: page.locator(".st-key-lab_step button").first.click())
    assert _wait_statuses(page, ["1"])[0]["epoch"] == "1"
    act(lambda: page.locator(".st-key-lab_x_axis label", has_text="Samples seen").first.click())
    page.wait_for_function("() => location.search.includes('x_axis=samples_seen')")
    assert page.evaluate("() => window.__lessonStale") == 0, "a run button reran the lessons"
    assert received and TAB_BAR not in b"".join(received), "a run button ran the page"
    method = page.locator(".st-key-lab_l1_method label", has_text="proximal").first
    act(method.click)
    page.wait_for_function("() => location.search.includes('l1_method=proximal')")
    deadline = time.monotonic() + 30
    while TAB_BAR not in b"".join(received) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert TAB_BAR in b"".join(received), "the L1 method did not run the page"
    check_page(page)


def test_a_setting_reruns_only_the_live_panel_and_its_lessons(page, server):
    """A setting that keeps the controls' look (the seed) reruns the live panel and the lessons
    it changes by their keys: the server sends no control and no lessons' tabs again (their
    texts are in no message), yet the live run is the new seed's (its status line, computed
    here by a Trainer of its own), the address holds it and the dropout check is of its
    network. The L1 method changes L1's help: the page runs, the controls are sent. So do the
    mode (the preset's settings shown in the controls, the lessons' texts per run) and "Reset
    to defaults" (every control shows its default, the typed seed too; the address empties).

    (The browser may still grey the page while the run goes: it cannot know that the run a
    number input asked for will be a fragment's, so its stale marks prove nothing here.)
    """
    from normviz.lab_status import status_line
    from normviz.lab_studies import dropout_check
    from normviz.lab_text import control_help
    from normviz.training import TrainConfig, Trainer
    from pages._lab_studies import DROPOUT_KS

    received: list[bytes] = []  # the server's messages (protobuf), as the page received them

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda f: received.append(f if isinstance(f, bytes) else f.encode()))

    page.on("websocket", on_socket)
    open_page(page, server, "/lab?seed=3")
    _wait_statuses(page, ["0"])
    _lesson(page, "dropout")
    live = _live(page)
    renders = live.evaluate(STATS)["renders"]
    seed_help = control_help(TrainConfig(seed=4))["seed"].encode()
    assert seed_help in b"".join(received)  # the page run sent it: the check can see it
    received.clear()
    before = runs(page)
    box = page.locator(".st-key-lab_seed input").first
    box.fill("4")
    box.press("Enter")
    settle_after(page, before)
    page.wait_for_function("() => new URLSearchParams(location.search).get('seed') === '4'")
    live.wait_for_function("n => window.liveStats.renders > n", arg=renders, timeout=30_000)
    expected = status_line(Trainer(TrainConfig(seed=4)).history[-1]).replace("**", "")
    assert status_lines(page) == [expected]
    check = dropout_check(TrainConfig(seed=4), ks=DROPOUT_KS)
    section = page.locator("[data-testid=stMarkdown]", has_text="The first hidden layer's")
    expect(section.first).to_contain_text(f"mean |h| = {check.mean_abs_h:.3g}")
    sent = b"".join(received)
    assert received and f"{check.mean_abs_h:.3g}".encode() in sent  # the lesson was sent
    assert seed_help not in sent, "a setting reran the controls"
    assert TAB_BAR not in sent, "a setting reran the lessons' tabs"
    received.clear()
    before = runs(page)
    page.locator(".st-key-lab_l1_method label", has_text="proximal").first.click()
    settle_after(page, before)
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('l1_method') === 'proximal'"
    )
    page.wait_for_timeout(500)
    assert seed_help in b"".join(received)  # the page ran: the controls were sent again
    _lesson(page, "maths")
    # Compare A and B (its first preset, "Dropout: off vs 0.4"): the controls, the mode's row
    # and the lessons follow (their dropout text is per run now).
    per_run = page.locator("[data-testid=stMarkdown]", has_text="Run B: ")
    assert per_run.count() == 0
    before = runs(page)
    page.locator(".st-key-lab_mode button", has_text="Compare").first.click()
    settle_after(page, before)
    expect(page.locator(".st-key-lab_preset").first).to_be_visible()
    expect(per_run.first).to_be_visible()
    expect(page.locator(".st-key-lab_dropout input").first).to_be_disabled()  # set per run
    before = runs(page)
    page.locator(".st-key-lab_defaults button").first.click()
    settle_after(page, before)
    expect(page.locator(".st-key-lab_preset")).to_have_count(0)
    expect(per_run).to_have_count(0)
    expect(page.locator(".st-key-lab_seed input").first).to_have_value(str(TrainConfig().seed))
    page.wait_for_function("() => location.search === ''")
    check_page(page)
