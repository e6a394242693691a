/*
 * The lab's live view: a hand-written Streamlit components.v1 component (no build step).
 *
 * Contract: docs/live-view.md. Python (normviz/serving/live_feed.py through pages/_live_chart.py) posts
 * `args.feed` payloads; this script keeps every run's history columns in growable arrays,
 * appends the new rows and redraws in place (uPlot setData on charts that live as long as the
 * layout), so zoom, pan and hover survive payloads. When a payload does not fit what it holds
 * it answers with {stream, have: {token: rows}, ask} as the component's value.
 *
 * Test hooks: window.liveStats (counters), window.liveCharts (the chart objects),
 * window.liveTuning (denseRowsPerPx: from how many rows a device pixel column a line is filled
 * rather than stroked, see densePath; sumRowsPerPx: from how many rows a column a curve chart
 * gets a summary of its rows, see summarize). A summarized chart keeps its rows as u.liveRaw.
 * liveStats: renders = payloads applied and drawn; requests = replies sent; lastRenderMs = this
 * script's main-thread time per payload in the last frame (applying + drawing, shared by the
 * payloads that frame drew); totalRenderMs = the sum over all; rows = rows held for the first run;
 * resized = the times a change of the frame's size drew the charts again (its width's only).
 */
(function () {
  "use strict";

  var X_COLS = ["epoch", "step", "samples_seen"];
  var COLS = X_COLS.concat([
    "train_loss", "test_loss", "train_acc", "test_acc", "weight_norm", "sparsity",
  ]);
  var PERCENT = { train_acc: true, test_acc: true, sparsity: true };  // held as 0-100
  var NARROW_PX = 640;   // below this iframe width every chart gets its own row
  var REASK_MS = 2000;   // re-send an unanswered request after this long
  var REASK_MAX = 10;    // ... at most this many times without a payload in between
  var FONT = '"Source Sans Pro", "Source Sans 3", system-ui, -apple-system, "Segoe UI", ' +
    'Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
  var INK = "#374151", GRID = "#e5e7eb", TICK = "#9ca3af";

  // Used only for what a payload's `style` lacks (normviz.serving.live_feed.style is the one home:
  // it sends split colours, run dashes and colours by run index, classes, boundary scale...).
  var DEFAULT_STYLE = {
    split: { train: "#4f46e5", test: "#e11d48" },
    dashes: ["solid", "dash", "dot"],
    runs: ["#4f46e5", "#0d9488", "#9333ea"],
    classes: ["#f97316", "#2563eb"],
    boundary: [[0, "#fdba74"], [0.5, "#ffffff"], [1, "#93c5fd"]],
    non_finite: "#d1d5db",
    norm: "#0f766e",
    sparsity: "#d97706",
    stop: { early_stopping: "#059669", diverged: "#b91c1c" },
    mark: "#6b7280",
  };
  var RUN_INDEX = { "": 0, A: 0, B: 1, C: 2 };

  var stats = {
    renders: 0, requests: 0, lastRenderMs: 0, totalRenderMs: 0, rows: 0, streamed: 0,
    pageRuns: 0, stoppedBy: null, resized: 0,
  };
  var charts = { loss: null, acc: null, norm: null, hist: [], boundaries: [], layout: "" };
  window.liveStats = stats;
  window.liveCharts = charts;

  // One load of this frame (the feed answers each (frame, ask) once).
  var FRAME_ID = (function () {
    var b = new Uint8Array(8);
    (window.crypto || window.msCrypto).getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); })
      .join("");
  })();

  var state = {
    stream: null,
    seq: -1,
    xAxis: "epoch",
    xTitle: "epoch",
    histLimit: 1,
    style: DEFAULT_STYLE,
    styleKey: "",
    alt: { curves: "", norm: "", hist: "" },
    labels: [],     // labels of the runs on screen, in payload order
    runs: {},       // label -> held run (see newRun)
    asks: 0,
    pendingKey: null,
    pendingAt: 0,
    pendingValue: null,
    reasks: 0,
    running: null,  // whether the session trained when the newest payload was built
    align: { checked: 0, ok: true },   // compare mode: do A and B share x values so far?
  };

  // ---------------------------------------------------------------- Streamlit protocol
  function post(msg) {
    msg.isStreamlitMessage = true;
    window.parent.postMessage(msg, "*");
  }

  var lastHeight = -1;
  function reportHeight() {
    var h = Math.ceil(document.body.getBoundingClientRect().height);
    if (h !== lastHeight) {
      lastHeight = h;
      post({ type: "streamlit:setFrameHeight", height: h });
    }
  }

  function sendValue(value) {
    post({ type: "streamlit:setComponentValue", value: value, dataType: "json" });
    stats.requests += 1;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render" || !data.args) return;
    var args = data.args;
    if (Array.isArray(args.controls)) runControls = args.controls;
    if (args.running === true && !host_.running) stream.lastEventAt = performance.now();
    host_.running = args.running === true;
    host_.render += 1;
    onFeed(args.feed);
    if (typeof args.stream === "string") follow(args.stream);
    checkStopped();
    if (args.drawn === false && !host_.readyAsked) {
      host_.readyAsked = true;
      askRun("ready");
    }
  });

  // ---------------------------------------------------------------- the stream
  // The page sends the session's stream path (args.stream, "/_nv/live/<token>"); the view opens
  // an EventSource on it (under the app's base path, which prefixes "/component/" in this
  // frame's address) with what it holds (?have=), and applies each event's payload like the
  // page's own. The browser reconnects by itself with Last-Event-ID; HTTP 204 (a token the
  // server no longer knows) ends the stream until the page sends another.
  var host_ = { running: false, render: 0, readyAsked: false, rerunAt: -1, asks: 0 };
  var stream = { path: null, source: null, opened: 0, reopenAt: 0 };
  window.liveStream = stream;

  function streamUrl(path, have) {
    var here = window.location.pathname;
    var at = here.indexOf("/component/");
    var base = at > 0 ? here.slice(0, at) : "";
    return base + path + "?have=" + encodeURIComponent(JSON.stringify(have || {}));
  }

  function heldNow() {
    var have = {};
    for (var label in state.runs) {
      var r = state.runs[label];
      if (r && r.token) have[r.token] = r.n;
    }
    return have;
  }

  function openStream() {
    if (stream.source) stream.source.close();
    if (typeof EventSource === "undefined" || !stream.path) return;
    var source = new EventSource(streamUrl(stream.path, heldNow()));
    stream.source = source;
    stream.opened += 1;
    source.onmessage = function (e) {
      var feed;
      try { feed = JSON.parse(e.data); } catch (err) { return; }
      stats.streamed += 1;
      stream.lastEventAt = performance.now();
      onFeed(feed);
      checkStopped();
    };
  }

  // A run that stopped by itself (early stopping, divergence, the epoch limit, the server's
  // limits) while the page shows it training: ask the page to run once. The newest payload
  // says (the page's own payload may arrive after newer streamed ones, or before them).
  function checkStopped() {
    if (state.running === false && host_.running && host_.rerunAt !== host_.render) {
      host_.rerunAt = host_.render;
      askRun("rerun");
    }
  }

  function follow(path) {
    if (path === stream.path && stream.source && stream.source.readyState !== 2) return;
    stream.path = path;
    openStream();
  }

  // A payload that does not fit what the view holds, with a stream open: reopen it with what
  // it holds (at most every REASK_MS), and the server sends what it lacks.
  function resync() {
    var now = performance.now();
    if (!stream.path || now - stream.reopenAt < REASK_MS) return false;
    stream.reopenAt = now;
    stats.requests += 1;
    openStream();
    return true;
  }

  // Ask the page to run once (the component's value changes): "ready" once mounted, "rerun"
  // when a run stopped by itself.
  function askRun(why) {
    host_.asks += 1;
    var value = { frame: FRAME_ID };
    value[why] = host_.asks;
    post({ type: "streamlit:setComponentValue", value: value, dataType: "json" });
    stats.pageRuns += 1;
  }
  window.addEventListener("pagehide", function () {
    if (stream.source) stream.source.close();
  });

  // A watchdog: while the page shows the session training, an update comes at least every
  // 2 s (1.95 s for a full class comparing); after STALE_MS without one (a stream that never
  // opened, or stalled), reopen it with what the view holds. The server then sends what it
  // lacks, or says the session stopped, and the view asks the page to show it.
  // Quiet time counts only the ticks' own time, a late tick at most 1.5 ticks: a frame whose
  // main thread was busy for seconds (a saturated machine) still has the events that came
  // meanwhile in its queue, and must not take a healthy stream for a stalled one.
  var STALE_MS = 6000, TICK_MS = 1000;
  var lastTick = performance.now(), quiet = 0, seenAt = -1;
  stream.lastEventAt = lastTick;
  window.setInterval(function () {
    var now = performance.now(), dt = Math.min(now - lastTick, 1.5 * TICK_MS);
    lastTick = now;
    if (stream.lastEventAt !== seenAt) {  // an event (or a reopen, or Start) since the last tick
      seenAt = stream.lastEventAt;
      quiet = Math.min(now - seenAt, dt);
    } else {
      quiet += dt;
    }
    if (!host_.running || !stream.path) return;
    if (quiet > STALE_MS && now - stream.reopenAt > STALE_MS) {
      stream.reopenAt = now;
      stream.lastEventAt = now;
      stats.requests += 1;
      stats.stale = (stats.stale || 0) + 1;
      openStream();
    }
  }, TICK_MS);

  // ---------------------------------------------------------------- keyboard focus
  // Streamlit disables the lab's Start while it trains and Pause while it is paused, and a
  // disabled button drops the keyboard focus to the page's body: a keyboard user lost their
  // place after every press. The host names its run controls (args.controls: Streamlit keys);
  // when the focus fell from one of them to the body, it goes to the first enabled one, the
  // pressed one first (so Start's focus moves to Pause, and back).
  var runControls = [], lastControl = null, host = null;
  try { host = window.parent.document; } catch (e) { host = null; }  // another origin
  function controlOf(target) {
    for (var i = 0; i < runControls.length; i++) {
      if (target && target.closest && target.closest(".st-key-" + runControls[i])) {
        return runControls[i];
      }
    }
    return null;
  }
  function noteFocus(e) { lastControl = controlOf(e.target); }
  function restoreFocus() {
    if (!lastControl || !host || (host.activeElement && host.activeElement !== host.body)) return;
    var order = [lastControl].concat(runControls);
    for (var i = 0; i < order.length; i++) {
      var b = host.querySelector(".st-key-" + order[i] + " button");
      if (b && !b.disabled) {
        b.focus({ preventScroll: true });
        lastControl = order[i];
        return;
      }
    }
  }
  if (host) {
    host.addEventListener("focusin", noteFocus, true);
    host.addEventListener("mousedown", noteFocus, true);  // a click elsewhere forgets it
    var focusTimer = window.setInterval(restoreFocus, 150);
    window.addEventListener("pagehide", function () {
      host.removeEventListener("focusin", noteFocus, true);
      host.removeEventListener("mousedown", noteFocus, true);
      window.clearInterval(focusTimer);
    });
  }

  // ---------------------------------------------------------------- style helpers
  function mergeStyle(s) {
    if (!s || typeof s !== "object") return DEFAULT_STYLE;
    var out = {};
    for (var k in DEFAULT_STYLE) out[k] = s[k] != null ? s[k] : DEFAULT_STYLE[k];
    return out;
  }
  function runIndex(label) {
    return RUN_INDEX[label] != null ? RUN_INDEX[label] : 0;
  }
  // The colour and dash of run `label`: by run index from lists (the feed's shape), or by label
  // from {label: {colour, dash, name}}.
  function runStyle(label) {
    var i = runIndex(label), st = state.style, out = { colour: null, dash: null, name: null };
    var byLabel = st.runs && !Array.isArray(st.runs) ? st.runs[label] || {} : {};
    out.colour = Array.isArray(st.runs) ? st.runs[i % st.runs.length] : byLabel.colour;
    out.dash = Array.isArray(st.dashes) ? st.dashes[i % st.dashes.length] : byLabel.dash;
    out.name = byLabel.name || (label ? "Run " + label : "");
    out.colour = out.colour || DEFAULT_STYLE.runs[i];
    out.dash = out.dash || DEFAULT_STYLE.dashes[i];
    return out;
  }
  function splitStyle(split) {
    var v = (state.style.split || {})[split];
    var colour = typeof v === "string" ? v : v && v.colour;
    return { colour: colour || DEFAULT_STYLE.split[split], name: (v && v.name) || split };
  }
  function dashOf(d) {
    if (Array.isArray(d)) return d;
    if (d === "dash") return [7, 4];
    if (d === "dot") return [2, 3];
    if (d === "dashdot") return [7, 3, 2, 3];
    return null;
  }
  function shortName(label) {
    return label;
  }
  function seriesName(label, what) {
    return label ? label + " " + what : what;
  }

  // ---------------------------------------------------------------- held runs
  function newRun(token) {
    var cols = {};
    for (var i = 0; i < COLS.length; i++) cols[COLS[i]] = [];
    return {
      token: token, n: 0, cols: cols, points: null, grid: null, gridSeq: 0,
      hist: null, stop: null, marks: [], ghost: null, alt: "", status: "",
    };
  }

  var EMPTY = newRun("");

  // A previous run drawn faint: its (thinned) rows, held like a run's, and its legend note.
  function ghostOf(g) {
    var held = newRun("ghost");
    appendRows(held, g.rows, 0);
    held.note = g.note || "previous run";
    return held;
  }

  function appendRows(run, rows, skip) {
    if (!rows) return;
    var len = rows.epoch ? rows.epoch.length : 0;
    if (len <= skip) return;
    for (var c = 0; c < COLS.length; c++) {
      var name = COLS[c];
      var src = rows[name];
      var dst = run.cols[name];
      var scale = PERCENT[name] ? 100 : 1;
      for (var i = skip; i < len; i++) {
        var v = src ? src[i] : null;
        dst.push(v == null || typeof v !== "number" ? null : v * scale);
      }
    }
    run.n += len - skip;
  }

  // ---------------------------------------------------------------- one payload
  function onFeed(feed) {
    if (!feed || typeof feed !== "object" || !Array.isArray(feed.runs)) return;
    var t0 = performance.now();
    // The same payload posted again (the host re-rendering with unchanged arguments), or an
    // older one (the page's payload arriving after newer streamed ones): done.
    if (feed.stream === state.stream && feed.seq <= state.seq) return;
    if (feed.stream !== state.stream) {
      // A new server-side feed is a new session: forget everything held.
      state.stream = feed.stream;
      state.runs = {};
      state.pendingKey = null;
      resetAlign();
    }
    state.seq = feed.seq;
    if (typeof feed.running === "boolean") state.running = stats.running = feed.running;
    if (feed.stopped_by !== undefined) stats.stoppedBy = feed.stopped_by;  // why it stopped

    var labels = [];
    var i, r, label;
    for (i = 0; i < feed.runs.length; i++) labels.push(feed.runs[i].label || "");
    for (label in state.runs) if (labels.indexOf(label) < 0) delete state.runs[label];

    var misfit = false, applied = false;
    for (i = 0; i < feed.runs.length; i++) {
      r = feed.runs[i];
      label = labels[i];
      var held = state.runs[label];
      var base = r.base | 0;
      if (base === 0) {
        held = state.runs[label] = newRun(r.run);
        resetAlign();
      } else if (!held || held.token !== r.run || base > held.n) {
        misfit = true;   // this run's rows wait for the feed's answer to our request
        continue;
      }
      appendRows(held, r.rows, held.n - base);
      if (r.points) held.points = r.points;
      if (r.grid) { held.grid = r.grid; held.gridSeq += 1; }
      if (r.hist) held.hist = r.hist;
      if (base === 0) held.ghost = r.ghost ? ghostOf(r.ghost) : null;
      held.marks = Array.isArray(r.marks) ? r.marks : held.marks;
      held.stop = r.stop || null;
      if (typeof r.alt_boundary === "string") held.alt = r.alt_boundary;  // absent: keep it
      if (typeof r.status === "string") held.status = r.status;
      applied = true;
    }

    if (misfit) {
      if (!resync()) ask(feed);
    } else {
      clearAsk();
    }

    if (applied) {
      state.xAxis = X_COLS.indexOf(feed.x_axis) >= 0 ? feed.x_axis : "epoch";
      state.xTitle = feed.x_title || state.xAxis;
      state.histLimit = feed.hist_limit > 0 ? feed.hist_limit : 1;
      if (feed.alt) state.alt = feed.alt;
      var styleKey = feed.style ? JSON.stringify(feed.style) : "";
      if (styleKey !== state.styleKey) {
        state.styleKey = styleKey;
        state.style = mergeStyle(feed.style);
        lutFor = null;
      }
      state.labels = labels;
      queued.payloads += 1;
      queued.ms += performance.now() - t0;
      if (!queued.frame) queued.frame = requestAnimationFrame(draw);
    }
  }

  // Charts are drawn once per animation frame, for all the payloads applied since the last one:
  // a hidden tab (no frames) holds its data and draws nothing until it is shown again.
  var queued = { payloads: 0, ms: 0, frame: 0 };

  function draw() {
    var t0 = performance.now();
    queued.frame = 0;
    render();
    var ms = queued.ms + performance.now() - t0;
    var first = state.runs[state.labels[0]];
    stats.rows = first ? first.n : 0;
    stats.renders += queued.payloads;
    stats.lastRenderMs = ms / queued.payloads;
    stats.totalRenderMs += ms;
    queued.payloads = 0;
    queued.ms = 0;
  }

  // ---------------------------------------------------------------- gap requests
  function haveOf(feed) {
    var have = {};
    for (var i = 0; i < feed.runs.length; i++) {
      var r = feed.runs[i];
      var held = state.runs[r.label || ""];
      have[r.run] = held && held.token === r.run ? held.n : 0;
    }
    return have;
  }

  function ask(feed) {
    var have = haveOf(feed);
    var key = JSON.stringify([feed.stream, have]);
    var now = performance.now();
    if (key === state.pendingKey && now - state.pendingAt < REASK_MS) return;
    state.reasks = key === state.pendingKey ? state.reasks : 0;
    state.pendingKey = key;
    state.pendingAt = now;
    state.asks += 1;
    state.pendingValue = { stream: feed.stream, frame: FRAME_ID, have: have, ask: state.asks };
    sendValue(state.pendingValue);
    armReask();
  }

  var reaskTimer = 0;
  function armReask() {
    clearTimeout(reaskTimer);
    reaskTimer = setTimeout(function () {
      if (state.pendingKey === null || state.reasks >= REASK_MAX) return;
      state.reasks += 1;
      state.asks += 1;
      state.pendingAt = performance.now();
      var v = state.pendingValue;
      state.pendingValue = { stream: v.stream, frame: FRAME_ID, have: v.have, ask: state.asks };
      sendValue(state.pendingValue);
      armReask();
    }, REASK_MS);
  }

  function clearAsk() {
    state.pendingKey = null;
    state.pendingValue = null;
    state.reasks = 0;
    clearTimeout(reaskTimer);
  }

  // ---------------------------------------------------------------- formatting
  function fmtNum(v, digits) {
    if (v == null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
    return v.toFixed(digits);
  }
  function fmtInt(v) {
    return v == null ? "–" : Math.round(v).toLocaleString("en-US");
  }
  var fmtLoss = function (u, v) { return fmtNum(v, 4); };
  var fmtPct = function (u, v) { return v == null ? "–" : v.toFixed(1) + " %"; };
  var fmtNorm = function (u, v) { return fmtNum(v, 3); };
  var fmtX = function (u, v) { return fmtInt(v); };

  // ---------------------------------------------------------------- layout
  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }

  function figure(parent, id, alt, extra) {
    var c = el("div", "live-cell" + (extra ? " " + extra : ""), parent);
    c.id = id;
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", alt || "");
    return c;
  }

  function setAlt(node, alt) {
    if (node && node.getAttribute("aria-label") !== (alt || "")) {
      node.setAttribute("aria-label", alt || "");
    }
  }

  function layoutKey() {
    var w = document.documentElement.clientWidth;
    var ghosts = state.labels.map(function (l) {
      var r = state.runs[l];
      return r && r.ghost ? r.ghost.note : "";
    });
    return [state.labels.join(","), ghosts.join(","), w < NARROW_PX ? "n" : "w", state.xAxis,
      state.styleKey].join("|");
  }

  function destroyCharts() {
    ["loss", "acc", "norm"].forEach(function (k) {
      if (charts[k]) charts[k].destroy();
      charts[k] = null;
    });
    charts.hist.forEach(function (u) { u.destroy(); });
    charts.hist = [];
    charts.boundaries = [];
  }

  var nodes = {};
  function build() {
    destroyCharts();
    var root = document.getElementById("live");
    root.textContent = "";
    var narrow = document.documentElement.clientWidth < NARROW_PX;
    var compare = state.labels.length > 1;
    var grid = el("div", "live-grid" + (narrow ? " narrow" : ""), root);
    nodes = { grid: grid, boundaries: [] };

    if (!compare) {
      nodes.boundaries.push(figure(grid, "boundary", ""));
      var side = el("div", "live-stack", grid);
      nodes.hist = figure(side, "hist", state.alt.hist);
      nodes.norm = figure(side, "norm", state.alt.norm);
      nodes.curves = figure(grid, "curves", state.alt.curves, "live-wide live-pair");
    } else {
      var pair = el("div", "live-pair live-wide", grid);
      for (var i = 0; i < state.labels.length; i++) {
        nodes.boundaries.push(figure(pair, "boundary-" + (state.labels[i] || i), ""));
      }
      nodes.curves = figure(grid, "curves", state.alt.curves, "live-wide live-pair");
      nodes.hist = figure(grid, "hist", state.alt.hist, "live-pair");
      nodes.norm = figure(grid, "norm", state.alt.norm);
    }
    nodes.loss = el("div", "live-cell", nodes.curves);
    nodes.loss.id = "loss";
    nodes.acc = el("div", "live-cell", nodes.curves);
    nodes.acc.id = "acc";
    nodes.histCells = [];
    var histLabels = compare ? state.labels : [state.labels[0]];
    for (var j = 0; j < histLabels.length; j++) {
      nodes.histCells.push(el("div", "live-cell", nodes.hist));
    }

    for (var b = 0; b < nodes.boundaries.length; b++) {
      var lb = state.labels[b];
      var title = compare ? runStyle(lb).name : "Decision boundary";
      charts.boundaries.push(new Boundary(nodes.boundaries[b], lb, title));
    }
    var h = sizes(narrow, compare);
    charts.loss = lineChart(nodes.loss, "Loss (lower is better)", lossSeries(), h.curve, {
      y: { range: lossRange },
    }, [{ label: "loss" }]);
    charts.acc = lineChart(nodes.acc, "Accuracy", accSeries(), h.curve, {
      y: { range: [0, 102] },
    }, [{ label: "accuracy (%)" }]);
    charts.norm = lineChart(nodes.norm, "Weight norm and % weights near zero", normSeries(), h.norm, {
      y: { range: normRange },
      pct: { range: [0, 100] },
    }, [{ label: "‖w‖₂", stroke: state.style.norm }, {
      scale: "pct", side: 1, label: "% near zero", stroke: state.style.sparsity,
      grid: { show: false },
    }]);
    for (var k = 0; k < histLabels.length; k++) {
      charts.hist.push(histChart(nodes.histCells[k], histLabels[k], compare, h.hist));
    }
    charts.layout = layoutKey();
    charts.width = document.documentElement.clientWidth;
    resetAlign();
  }

  function sizes(narrow, compare) {
    return {
      curve: narrow ? 200 : 240,
      norm: narrow ? 190 : compare ? 230 : 170,
      hist: narrow ? 170 : compare ? 200 : 150,
    };
  }

  function widthOf(node) {
    return Math.max(120, Math.floor(node.clientWidth));
  }

  function axisX() {
    return {
      label: state.xTitle, font: "12px " + FONT, labelFont: "12px " + FONT, stroke: INK,
      labelSize: 18, size: 34, grid: { stroke: GRID, width: 1 },
      ticks: { stroke: TICK, width: 1, size: 4 },
    };
  }

  function axisY(o) {
    var a = {
      font: "12px " + FONT, labelFont: "12px " + FONT, stroke: INK, labelSize: 18, size: 48,
      grid: { stroke: GRID, width: 1 }, ticks: { stroke: TICK, width: 1, size: 4 },
    };
    for (var k in o) a[k] = o[k];
    return a;
  }

  function lineChart(host, title, series, height, scales, yAxes) {
    scales.x = { time: false };
    var axes = [axisX()];
    for (var i = 0; i < yAxes.length; i++) axes.push(axisY(yAxes[i]));
    var opts = {
      title: title,
      width: widthOf(host),
      height: height,
      scales: scales,
      axes: axes,
      series: [{ label: state.xTitle, value: trueValue(fmtX) }].concat(series),
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false, setScale: false }, sync: { key: "live-x" } },
      hooks: { setSelect: [onSelect], draw: [drawMarks] },
    };
    var u = new uPlot(opts, emptyData(series.length + 1), host);
    u.liveZoom = null;
    u.liveHost = host;
    u.liveHeight = height;
    // The curves share their cursor (drag-zoom and double-click reach all of them through
    // uPlot's sync); a double-click anywhere on them returns every one to auto scales.
    u.over.addEventListener("dblclick", unzoom);
    u.over.addEventListener("mouseleave", function () {
      requestAnimationFrame(function () { showLast(u); });
    });
    return u;
  }

  function emptyData(n) {
    var d = [];
    for (var i = 0; i < n; i++) d.push([]);
    return d;
  }

  function unzoom() {
    ["loss", "acc", "norm"].forEach(function (k) {
      var u = charts[k];
      if (!u) return;
      var summed = u.liveSum || (u.liveZoom && u.liveRaw && u.data[0].length !== u.liveRaw[0].length);
      u.liveZoom = null;
      if (summed) push(u, u.liveRaw);
    });
  }

  function onSelect(u) {
    var s = u.select;
    if (s.width < 3) return;
    var min = u.posToVal(s.left, "x");
    var max = u.posToVal(s.left + s.width, "x");
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (!(max > min)) return;
    u.liveZoom = { min: min, max: max };
    if (u.liveSum) push(u, u.liveRaw);
    else u.setScale("x", { min: min, max: max });
  }

  function line(src, what, colour, scale, fmt, width) {
    var ghost = src.ghost;
    return {
      label: ghost ? seriesName(src.label, what) + " (" + src.held.note + ")"
        : seriesName(src.label, what),
      stroke: ghost ? faint(colour) : colour,
      width: ghost ? 1.25 : width || 2,
      dash: dashOf(runStyle(src.label).dash),
      scale: scale || "y",
      value: trueValue(fmt),
      spanGaps: false,
      points: { show: false },
      paths: densePath,
    };
  }

  // ---------------------------------------------------------------- dense lines
  // A line with more rows than half its plot's pixel columns is not stroked but filled: the
  // area uPlot's stroke would cover. Chromium rasterizes a canvas in software on the page's main
  // thread (no GPU here), and a noisy curve of thousands of rows is a zigzag of thousands of
  // round joins: stroking the loss, accuracy and norm lines cost the main thread 6-8 ms an
  // update, filling their outlines (one simple polygon a line) a tenth of that.
  // uPlot draws a dense line column by column of device pixels (rows at their rounded pixel
  // position; a column's rows as one vertical stroke, joined to the next column's): each column
  // here holds the same vertical extent (its rows, and the joining segments' parts within half
  // a pixel of it), and the outline is the union of those extents widened by half the line's
  // width, as uPlot's stroke. A null row breaks the line, an undefined one is bridged, as in
  // uPlot's path; a dashed line's dash pattern is cut along x. Sparser lines (few rows, a zoom)
  // keep uPlot's stroke.
  var tuning = { denseRowsPerPx: 0.5 };
  window.liveTuning = tuning;
  var linearPath = null;
  var env = { lo: new Float64Array(0), hi: new Float64Array(0) };

  function strokePath(u, si, i0, i1) {
    linearPath = linearPath || uPlot.paths.linear();
    return linearPath(u, si, i0, i1);
  }

  function densePath(u, si, i0, i1) {
    var bb = u.bbox, s = u.series[si], xs = u.data[0], ys = u.data[si];
    var sx = u.scales.x, sy = u.scales[s.scale];
    var kx = bb.width / (sx.max - sx.min), ky = bb.height / (sy.max - sy.min);
    if (!(i1 - i0 + 1 >= tuning.denseRowsPerPx * bb.width) || !(bb.width >= 2) ||
        !(kx > 0 && isFinite(kx) && ky > 0 && isFinite(ky))) {
      return strokePath(u, si, i0, i1);
    }
    var base = Math.floor(bb.left) - 2, cols = Math.ceil(bb.width) + 5;
    if (env.lo.length < cols) {
      env.lo = new Float64Array(cols + 64);
      env.hi = new Float64Array(cols + 64);
    }
    var lo = env.lo, hi = env.hi, k, i;
    for (k = 0; k < cols; k++) {
      lo[k] = Infinity;
      hi[k] = -Infinity;
    }
    // Column k is device pixel x = base + k; y is the canvas's (down), rounded as uPlot's.
    var x0 = sx.min, xl = bb.left - base, y0 = sy.min, yb = bb.top + bb.height;
    var far = 4 * (bb.height + 100);
    var pk = NaN, py = NaN;   // the previous row's column and y (NaN: the line starts again)
    for (i = i0; i <= i1; i++) {
      var v = ys[i];
      if (v === undefined) continue;
      if (v === null || xs[i] == null) {
        pk = NaN;
        continue;
      }
      var xk = Math.round(xl + (xs[i] - x0) * kx);
      var y = Math.round(yb - (v - y0) * ky);
      if (y < -far) y = -far;
      else if (y > far) y = far;
      if (pk === pk) cover(lo, hi, cols, pk, py, xk, y);
      else cover(lo, hi, cols, xk, y, xk, y);
      pk = xk;
      py = y;
    }
    var hw = (s.width * uPlot.pxRatio) / 2;
    var off = s.pxAlign ? ((s.width * uPlot.pxRatio) % 2) / 2 : 0;
    var on = dashMask(s.dash, cols, base);
    var fill = new Path2D(), start = -1;
    for (k = 0; k <= cols; k++) {
      var inside = k < cols && lo[k] <= hi[k] && (!on || on[k]);
      if (inside && start < 0) start = k;
      if (!inside && start >= 0) {
        outline(fill, lo, hi, start, k - 1, base + off, hw, hw - off, hw + off);
        start = -1;
      }
    }
    return {
      stroke: null, fill: fill, clip: null, band: null, gaps: null, flags: 0,
      _fill: s._stroke, _width: 0,
    };
  }

  // Widen columns' [lo, hi] with the part of segment (ka, ya)-(kb, yb) within half a column.
  function cover(lo, hi, cols, ka, ya, kb, yb) {
    if (kb < ka) {
      var t = ka; ka = kb; kb = t;
      t = ya; ya = yb; yb = t;
    }
    if (kb < 0 || ka >= cols) return;
    if (ka === kb) {
      put(lo, hi, ka, ya, yb);
      return;
    }
    var slope = (yb - ya) / (kb - ka);
    var from = Math.max(ka, 0), to = Math.min(kb, cols - 1);
    for (var k = from; k <= to; k++) {
      var a = k === ka ? ya : ya + (k - 0.5 - ka) * slope;
      var b = k === kb ? yb : ya + (k + 0.5 - ka) * slope;
      put(lo, hi, k, a, b);
    }
  }

  function put(lo, hi, k, a, b) {
    if (a > b) { var t = a; a = b; b = t; }
    if (a < lo[k]) lo[k] = a;
    if (b > hi[k]) hi[k] = b;
  }

  // Columns k0..k1 (all drawn) as one polygon: the union of each column's stroke, x from
  // at + k - hw to at + k + hw and y from lo - up to hi + down; the top edge left to right,
  // where two neighbours overlap the higher of both, then the bottom edge back.
  function outline(path, lo, hi, k0, k1, at, hw, up, down) {
    var k, a, b, y;
    path.moveTo(at + k0 - hw, lo[k0] - up);
    for (k = k0; k <= k1; k++) {
      a = k === k0 ? at + k - hw : Math.max(at + k - hw, at + k - 1 + hw);
      b = k === k1 ? at + k + hw : Math.min(at + k + hw, at + k + 1 - hw);
      y = lo[k] - up;
      if (b > a) {
        path.lineTo(a, y);
        path.lineTo(b, y);
      }
      if (k < k1 && 2 * hw > 1) {
        y = Math.min(lo[k], lo[k + 1]) - up;
        path.lineTo(at + k + 1 - hw, y);
        path.lineTo(at + k + hw, y);
      }
    }
    for (k = k1; k >= k0; k--) {
      a = k === k0 ? at + k - hw : Math.max(at + k - hw, at + k - 1 + hw);
      b = k === k1 ? at + k + hw : Math.min(at + k + hw, at + k + 1 - hw);
      y = hi[k] + down;
      if (k < k1 && 2 * hw > 1) {
        var m = Math.max(hi[k], hi[k + 1]) + down;
        path.lineTo(at + k + hw, m);
        path.lineTo(at + k + 1 - hw, m);
      }
      if (b > a) {
        path.lineTo(b, y);
        path.lineTo(a, y);
      }
    }
    path.closePath();
  }

  // Which columns a dash pattern (CSS px, as uPlot's) draws; null for a solid line.
  var masks = {};
  function dashMask(dash, cols, base) {
    if (!dash || !dash.length) return null;
    var key = dash.join(",") + "/" + cols + "/" + base + "/" + uPlot.pxRatio;
    if (masks[key]) return masks[key];
    var period = 0, k;
    for (k = 0; k < dash.length; k++) period += dash[k] * uPlot.pxRatio;
    var mask = new Uint8Array(cols);
    for (var c = 0; c < cols; c++) {
      var at = (base + c + 0.5) % period, on = true;
      for (k = 0; k < dash.length; k++) {
        var len = dash[k] * uPlot.pxRatio;
        if (at < len) break;
        at -= len;
        on = !on;
      }
      mask[c] = on ? 1 : 0;
    }
    masks = {};
    masks[key] = mask;
    return mask;
  }

  // ---------------------------------------------------------------- summarized history
  // A curve chart with many more rows than its plot's device pixel columns gets a summary of
  // its rows, not the rows: x buckets of a power-of-two width (1 to 2 columns; the width
  // doubles, merging neighbours, as the run's x range grows), each held as its first and last
  // row and, per line, the least and greatest value of its rows (at the bucket's middle x). A
  // payload updates only the buckets its rows fall in, so setData, the axis ranges and the
  // dense fill walk about 4 points a bucket however long the run. A bucket's line is null where
  // all its rows are null (a gap), undefined where all are undefined (bridged). The buckets are
  // built again when the x scale changes (a zoom: the visible rows only, so a zoom shows them
  // all once few enough), the plot's width, the x column or the arrays (a new run, compare
  // mode). Hover reads the nearest real row (u.liveFull), not the summary.
  tuning.sumRowsPerPx = 4;   // summarize from this many rows a device pixel column

  function summarize(u, data) {
    var xs = data[0], n = xs.length, W = Math.floor(u.bbox.width);
    if (!(W >= 2) || n <= tuning.sumRowsPerPx * W) {
      u.liveSum = null;
      return data;
    }
    var z = u.liveZoom, i0 = 0, i1 = n - 1;
    if (z) {
      i0 = Math.max(0, lowerBound(xs, z.min) - 1);
      i1 = Math.min(n - 1, lowerBound(xs, z.max));
      if (i1 - i0 + 1 <= tuning.sumRowsPerPx * W) {
        u.liveSum = null;
        return sliceData(data, i0, i1 + 1);
      }
    }
    var c = u.liveSum, ns = data.length;
    var key = W + "/" + (z ? z.min + ":" + z.max : "");
    var same = c && c.key === key && c.i0 === i0 && c.cols.length === ns;
    for (var k = 0; same && k < ns; k++) same = c.cols[k] === data[k];
    if (!same || z) {
      c = u.liveSum = {
        key: key, cols: data.slice(), i0: i0, x0: xs[i0], w: 0, W: W, b: [], stable: 0,
      };
      var span = xs[i1] - xs[i0];
      c.w = span > 0 ? Math.pow(2, Math.ceil(Math.log2(span / W))) : 1;
      if (!(c.w > 0)) c.w = 1;
      while ((span / c.w) >= W) c.w *= 2;
    }
    // Buckets holding rows that may have changed (the last one, a merged tail) are redone.
    var stable = data.stable === undefined ? n : data.stable;
    while (c.b.length && c.b[c.b.length - 1].e >= c.stable) c.b.pop();
    var from = c.b.length ? c.b[c.b.length - 1].e + 1 : i0;
    for (var i = from; i <= i1; i++) addRow(c, data, i);
    c.stable = Math.min(stable, n);
    u.liveFull = data;
    return emit(c, data);
  }

  function lowerBound(xs, v) {
    var lo = 0, hi = xs.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (xs[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function sliceData(data, a, b) {
    var out = [];
    for (var k = 0; k < data.length; k++) out.push(data[k].slice(a, b));
    return out;
  }

  function addRow(c, data, i) {
    var x = data[0][i];
    if (x == null) return;
    var bi = Math.floor((x - c.x0) / c.w);
    while (bi >= c.W) {
      coarsen(c);
      bi = Math.floor((x - c.x0) / c.w);
    }
    var b = c.b.length ? c.b[c.b.length - 1] : null;
    if (!b || b.k !== bi) {
      b = { k: bi, a: i, e: i, lo: [], hi: [], nul: [], und: [] };
      for (var s = 1; s < data.length; s++) {
        b.lo.push(Infinity);
        b.hi.push(-Infinity);
        b.nul.push(false);
        b.und.push(false);
      }
      c.b.push(b);
    }
    b.e = i;
    for (var t = 1; t < data.length; t++) {
      var v = data[t][i];
      if (v === undefined) b.und[t - 1] = true;
      else if (v === null) b.nul[t - 1] = true;
      else {
        if (v < b.lo[t - 1]) b.lo[t - 1] = v;
        if (v > b.hi[t - 1]) b.hi[t - 1] = v;
      }
    }
  }

  // Double the bucket width: each pair of neighbouring buckets becomes one.
  function coarsen(c) {
    c.w *= 2;
    var out = [];
    for (var j = 0; j < c.b.length; j++) {
      var b = c.b[j], k = Math.floor(b.k / 2), last = out.length ? out[out.length - 1] : null;
      if (last && last.k === k) {
        last.e = b.e;
        for (var s = 0; s < b.lo.length; s++) {
          if (b.lo[s] < last.lo[s]) last.lo[s] = b.lo[s];
          if (b.hi[s] > last.hi[s]) last.hi[s] = b.hi[s];
          last.nul[s] = last.nul[s] || b.nul[s];
          last.und[s] = last.und[s] || b.und[s];
        }
      } else {
        b.k = k;
        out.push(b);
      }
    }
    c.b = out;
  }

  // The summary as uPlot data: a bucket of one or two rows as its rows, a longer one as its
  // first row, each line's least and greatest value at the bucket's middle x, its last row.
  function emit(c, data) {
    var ns = data.length, out = [], j, s;
    for (s = 0; s < ns; s++) out.push([]);
    var xs = data[0];
    for (j = 0; j < c.b.length; j++) {
      var b = c.b[j];
      for (s = 0; s < ns; s++) out[s].push(data[s][b.a]);
      if (b.e === b.a) continue;
      if (b.e > b.a + 1) {
        var xm = (xs[b.a] + xs[b.e]) / 2;
        out[0].push(xm, xm);
        for (s = 1; s < ns; s++) {
          var none = b.lo[s - 1] > b.hi[s - 1];
          var gapv = b.nul[s - 1] ? null : undefined;
          out[s].push(none ? gapv : b.lo[s - 1], none ? gapv : b.hi[s - 1]);
        }
      }
      for (s = 0; s < ns; s++) out[s].push(data[s][b.e]);
    }
    return out;
  }

  // The real row nearest the cursor on a summarized chart (-1: none, or no summary).
  function realRow(u) {
    var f = u.liveFull;
    if (!u.liveSum || !f || !(u.cursor.left >= 0)) return -1;
    var xs = f[0], v = u.posToVal(u.cursor.left, "x"), i = lowerBound(xs, v);
    if (i >= xs.length) i = xs.length - 1;
    if (i > 0 && Math.abs(xs[i - 1] - v) <= Math.abs(xs[i] - v)) i -= 1;
    return i;
  }

  function trueValue(fmt) {
    return function (u, v, si, idx) {
      var i = realRow(u);
      return fmt(u, i < 0 ? v : u.liveFull[si][i], si, idx);
    };
  }

  function faint(colour) {
    var c = parseColour(colour);
    return "rgba(" + c[0] + "," + c[1] + "," + c[2] + ",0.35)";
  }

  // What the curve charts draw, in series order: each run, then each run's ghost (if any).
  function sources() {
    var out = [], i, r;
    for (i = 0; i < state.labels.length; i++) {
      out.push({ label: state.labels[i], held: state.runs[state.labels[i]] || EMPTY, ghost: false });
    }
    for (i = 0; i < state.labels.length; i++) {
      r = state.runs[state.labels[i]];
      if (r && r.ghost) out.push({ label: state.labels[i], held: r.ghost, ghost: true });
    }
    return out;
  }

  function splitSeries(fmt) {
    var train = splitStyle("train"), test = splitStyle("test");
    return sources().reduce(function (out, src) {
      out.push(line(src, train.name, train.colour, "y", fmt));
      out.push(line(src, test.name, test.colour, "y", fmt));
      return out;
    }, []);
  }

  function lossSeries() {
    return splitSeries(fmtLoss);
  }

  function accSeries() {
    return splitSeries(fmtPct);
  }

  function normSeries() {
    return sources().reduce(function (out, src) {
      out.push(line(src, "‖w‖₂", state.style.norm, "y", fmtNorm));
      out.push(line(src, "% near 0", state.style.sparsity, "pct", fmtPct, 1.5));
      return out;
    }, []);
  }

  function lossRange(u, min, max) {
    // Like the Plotly figures: 0 to the largest finite loss plus a margin, within [0.1, 3].
    var top = max == null || !isFinite(max) ? 1 : Math.min(Math.max(max * 1.08, 0.1), 3);
    return [0, top];
  }

  function normRange(u, min, max) {
    var top = max == null || !isFinite(max) || max <= 0 ? 1 : max * 1.08;
    return [0, top];
  }

  // A stop's short label, from the payload's numbers (its `text` is the status line's sentence).
  function stopLabel(stop) {
    if (stop.reason === "diverged") return "diverged at epoch " + stop.epoch;
    if (stop.reason === "early_stopping") return "early stop: best epoch " + stop.x.epoch;
    return stop.reason;
  }

  // Vertical marks on the curve charts: each run's stop (labelled at the top) and its setting
  // changes (`marks`, labelled at the bottom; a label that would overlap another is left out).
  function drawMarks(u) {
    var ctx = u.ctx, bb = u.bbox, dpr = uPlot.pxRatio;
    var compare = state.labels.length > 1;
    var topRow = 0, bottomRows = [-Infinity, -Infinity];
    ctx.save();
    ctx.font = 11 * dpr + "px " + FONT;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    for (var i = 0; i < state.labels.length; i++) {
      var label = state.labels[i];
      var run = state.runs[label];
      if (!run) continue;
      var prefix = compare ? label + ": " : "";
      var marks = run.marks || [];
      for (var k = 0; k < marks.length; k++) {
        var mx = marks[k].x && marks[k].x[state.xAxis];
        var px = xPixel(u, mx);
        if (px === null) continue;
        vline(ctx, px, bb, DEFAULT_STYLE.mark, [2 * dpr, 3 * dpr], dpr);
        var text = prefix + (marks[k].text || "");
        var tw = ctx.measureText(text).width;
        for (var row = 0; row < bottomRows.length; row++) {
          if (px + 4 * dpr > bottomRows[row] && px + 4 * dpr + tw < bb.left + bb.width) {
            bottomRows[row] = px + 8 * dpr + tw;
            tag(ctx, text, px + 4 * dpr, bb.top + bb.height - (18 + 15 * row) * dpr, tw,
              DEFAULT_STYLE.mark, dpr);
            break;
          }
        }
      }
      var stop = run.stop;
      if (!stop || !stop.x) continue;
      px = xPixel(u, stop.x[state.xAxis]);
      if (px === null) continue;
      var colour = (state.style.stop || DEFAULT_STYLE.stop)[stop.reason] || DEFAULT_STYLE.mark;
      vline(ctx, px, bb, colour, [4 * dpr, 3 * dpr], dpr * 1.5);
      text = prefix + stopLabel(stop);
      tw = ctx.measureText(text).width;
      var right = px > bb.left + bb.width * 0.6;
      tag(ctx, text, right ? px - 4 * dpr - tw : px + 4 * dpr, bb.top + (4 + 15 * topRow) * dpr,
        tw, colour, dpr);
      topRow += 1;
    }
    ctx.restore();
  }

  function xPixel(u, v) {
    if (v == null || !isFinite(v)) return null;
    var px = u.valToPos(v, "x", true), bb = u.bbox;
    return px < bb.left - 1 || px > bb.left + bb.width + 1 ? null : Math.round(px) + 0.5;
  }

  function vline(ctx, px, bb, colour, dash, width) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(px, bb.top);
    ctx.lineTo(px, bb.top + bb.height);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  function tag(ctx, text, x, y, tw, colour, dpr) {
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(x - 2 * dpr, y, tw + 4 * dpr, 14 * dpr);
    ctx.fillStyle = colour;
    ctx.fillText(text, x, y + 1.5 * dpr);
  }

  // ---------------------------------------------------------------- histograms
  var histX = { limit: 0, bins: 0, centres: [] };
  var histTop = 1;

  function histCentres(limit, bins) {
    if (histX.limit !== limit || histX.bins !== bins) {
      var c = [];
      var w = (2 * limit) / bins;
      for (var i = 0; i < bins; i++) c.push(-limit + (i + 0.5) * w);
      histX = { limit: limit, bins: bins, centres: c };
    }
    return histX.centres;
  }

  function histChart(host, label, compare, height) {
    var rs = runStyle(label);
    var title = compare ? "Weights, " + rs.name : "Weight histogram";
    var opts = {
      title: title,
      width: widthOf(host),
      height: height,
      scales: {
        x: { time: false, range: function () { return [-state.histLimit, state.histLimit]; } },
        y: { range: function () { return [0, histTop * 1.05]; } },
      },
      axes: [
        { label: "weight value", font: "12px " + FONT, labelFont: "12px " + FONT, stroke: INK,
          labelSize: 18, size: 34, grid: { stroke: GRID, width: 1 },
          ticks: { stroke: TICK, width: 1, size: 4 } },
        axisY({ label: "weights", size: 44 }),
      ],
      series: [
        { label: "bin centre", value: function (u, v) { return fmtNum(v, 3); } },
        {
          label: "count",
          stroke: rs.colour || "#4f46e5",
          fill: rs.colour || "#4f46e5",
          width: 0,
          paths: uPlot.paths.bars({ size: [0.92, Infinity], align: 0 }),
          points: { show: false },
          value: function (u, v) { return fmtInt(v); },
        },
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
    };
    var u = new uPlot(opts, [[], []], host);
    u.liveLabel = label;
    u.liveHost = host;
    u.liveHeight = height;
    return u;
  }

  // ---------------------------------------------------------------- boundary
  var lutFor = null, lut = null;
  var little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

  function parseColour(c) {
    var m = /^#?([0-9a-f]{6})$/i.exec(String(c).trim());
    if (m) {
      var n = parseInt(m[1], 16);
      return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    }
    m = /^rgba?\(([^)]+)\)$/i.exec(String(c).trim());
    if (m) {
      var p = m[1].split(",").map(parseFloat);
      return [p[0] | 0, p[1] | 0, p[2] | 0];
    }
    return [128, 128, 128];
  }

  function pack(rgb) {
    return little
      ? ((255 << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]) >>> 0
      : ((rgb[0] << 24) | (rgb[1] << 16) | (rgb[2] << 8) | 255) >>> 0;
  }

  function boundaryLut() {
    if (lutFor === state.style) return lut;
    var stops = (state.style.boundary || DEFAULT_STYLE.boundary).map(function (s) {
      return [+s[0], parseColour(s[1])];
    });
    lut = new Uint32Array(256);
    for (var b = 0; b < 255; b++) {
      var p = b / 254;
      var k = 1;
      while (k < stops.length - 1 && stops[k][0] < p) k++;
      var s0 = stops[k - 1], s1 = stops[k];
      var t = s1[0] > s0[0] ? Math.min(1, Math.max(0, (p - s0[0]) / (s1[0] - s0[0]))) : 0;
      lut[b] = pack([0, 1, 2].map(function (j) {
        return Math.round(s0[1][j] + (s1[1][j] - s0[1][j]) * t);
      }));
    }
    lut[255] = pack(parseColour(state.style.non_finite || DEFAULT_STYLE.non_finite));
    lutFor = state.style;
    return lut;
  }

  function niceTicks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var err = span / count / step;
    if (err >= 7.5) step *= 10;
    else if (err >= 3.5) step *= 5;
    else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }

  function Boundary(host, label, title) {
    this.label = label;
    this.host = host;
    var t = el("div", "live-title", host);
    t.textContent = title;
    this.box = el("div", "live-boundary", host);
    this.heat = el("canvas", "", this.box);
    this.over = el("canvas", "layer", this.box);
    this.readout = el("div", "live-readout", host);
    this.idle = "Colour: P(class 1). Edges: train white, test black.";
    this.readout.textContent = this.idle;
    this.readout.title = "Colour: P(class 1). Train points have a white edge, test points a black one.";
    this.small = document.createElement("canvas");
    this.bytes = null;
    this.image = null;
    this.drawnGrid = null;
    this.drawnPoints = null;
    this.drawnKey = "";
    this.m = { l: 40, r: 8, t: 6, b: 26 };
    var self = this;
    this.over.addEventListener("mousemove", function (e) { self.hover(e); });
    this.over.addEventListener("mouseleave", function () {
      self.readout.textContent = self.idle;
    });
    this.resize();
  }

  Boundary.prototype.run = function () { return state.runs[this.label]; };

  Boundary.prototype.resize = function () {
    var w = Math.min(Math.floor(this.host.clientWidth), 460);
    w = Math.max(w, 160);
    var m = this.m;
    this.pw = w - m.l - m.r;
    this.ph = this.pw;
    this.cw = w;
    this.ch = this.ph + m.t + m.b;
    var dpr = window.devicePixelRatio || 1;
    this.dpr = dpr;
    [this.heat, this.over].forEach(function (c) {
      c.width = Math.round(this.cw * dpr);
      c.height = Math.round(this.ch * dpr);
      c.style.width = this.cw + "px";
      c.style.height = this.ch + "px";
    }, this);
    this.over.style.top = "0px";
    this.box.style.height = this.ch + "px";
    this.drawnGrid = null;
    this.drawnPoints = null;
    this.drawnKey = "";
  };

  // The plotted data range: the grid's cells are centred on x0..x1 and y0..y1.
  Boundary.prototype.range = function (g) {
    var n = Math.max(g.n, 2);
    var dx = (g.x1 - g.x0) / (n - 1), dy = (g.y1 - g.y0) / (n - 1);
    return { x0: g.x0 - dx / 2, x1: g.x1 + dx / 2, y0: g.y0 - dy / 2, y1: g.y1 + dy / 2 };
  };

  Boundary.prototype.draw = function () {
    var run = this.run();
    if (!run || !run.grid) return;
    var g = run.grid;
    if (g !== this.drawnGrid) this.drawHeat(g);
    var key = [g.n, g.x0, g.x1, g.y0, g.y1].join(",");
    if (run.points !== this.drawnPoints || key !== this.drawnKey) this.drawOverlay(run);
    this.drawnGrid = g;
    this.drawnPoints = run.points;
    this.drawnKey = key;
    setAlt(this.host, run.alt);
  };

  Boundary.prototype.drawHeat = function (g) {
    var n = g.n | 0;
    if (n <= 0) return;
    var raw = atob(g.q || "");
    if (raw.length < n * n) return;
    if (!this.image || this.image.width !== n) {
      this.small.width = n;
      this.small.height = n;
      this.sctx = this.small.getContext("2d");
      this.image = this.sctx.createImageData(n, n);
      this.pixels = new Uint32Array(this.image.data.buffer);
      this.bytes = new Uint8Array(n * n);
    }
    var table = boundaryLut(), px = this.pixels, bytes = this.bytes;
    for (var i = 0; i < n; i++) {       // grid row i is at y0 + i*dy: image row n-1-i
      var src = i * n, dst = (n - 1 - i) * n;
      for (var j = 0; j < n; j++) {
        var b = raw.charCodeAt(src + j);
        bytes[src + j] = b;
        px[dst + j] = table[b];
      }
    }
    this.sctx.putImageData(this.image, 0, 0);
    var ctx = this.heat.getContext("2d"), d = this.dpr, m = this.m;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.heat.width, this.heat.height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.small, m.l * d, m.t * d, this.pw * d, this.ph * d);
    this.grid = g;
  };

  Boundary.prototype.drawOverlay = function (run) {
    var ctx = this.over.getContext("2d"), d = this.dpr, m = this.m;
    var g = run.grid, r = this.range(g), pw = this.pw, ph = this.ph;
    ctx.setTransform(d, 0, 0, d, 0, 0);
    ctx.clearRect(0, 0, this.cw, this.ch);
    var sx = function (x) { return m.l + ((x - r.x0) / (r.x1 - r.x0)) * pw; };
    var sy = function (y) { return m.t + ph - ((y - r.y0) / (r.y1 - r.y0)) * ph; };
    // frame and ticks
    ctx.strokeStyle = TICK;
    ctx.lineWidth = 1;
    ctx.strokeRect(m.l + 0.5, m.t + 0.5, pw - 1, ph - 1);
    ctx.fillStyle = INK;
    ctx.font = "11px " + FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    niceTicks(r.x0, r.x1, 4).forEach(function (v) {
      var x = Math.round(sx(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, m.t + ph);
      ctx.lineTo(x, m.t + ph + 4);
      ctx.stroke();
      ctx.fillText(tickText(v), x, m.t + ph + 6);
    });
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    niceTicks(r.y0, r.y1, 4).forEach(function (v) {
      var y = Math.round(sy(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(m.l - 4, y);
      ctx.lineTo(m.l, y);
      ctx.stroke();
      ctx.fillText(tickText(v), m.l - 6, y);
    });
    // points: train (white edge), then test (black edge), in their class colours
    var classes = state.style.classes || DEFAULT_STYLE.classes;
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.l, m.t, pw, ph);
    ctx.clip();
    var pts = run.points || {};
    [["train", "#ffffff"], ["test", "#111827"]].forEach(function (kind) {
      var p = pts[kind[0]];
      if (!p || !p.x) return;
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = kind[1];
      for (var c = 0; c < 2; c++) {
        ctx.fillStyle = classes[c];
        ctx.beginPath();
        for (var i = 0; i < p.x.length; i++) {
          if ((p.label[i] | 0) !== c) continue;
          var x = sx(p.x[i]), y = sy(p.y[i]);
          ctx.moveTo(x + 3.6, y);
          ctx.arc(x, y, 3.6, 0, 2 * Math.PI);
        }
        ctx.fill();
        ctx.stroke();
      }
    });
    ctx.restore();
  };

  function tickText(v) {
    var a = Math.abs(v);
    return a >= 10 || a === 0 ? String(Math.round(v)) : String(+v.toFixed(2));
  }

  Boundary.prototype.hover = function (e) {
    var g = this.grid;
    if (!g || !this.bytes) return;
    var rect = this.over.getBoundingClientRect(), m = this.m;
    var fx = (e.clientX - rect.left - m.l) / this.pw;
    var fy = 1 - (e.clientY - rect.top - m.t) / this.ph;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) {
      this.readout.textContent = this.idle;
    this.readout.title = "Colour: P(class 1). Train points have a white edge, test points a black one.";
      return;
    }
    var r = this.range(g);
    var x = r.x0 + fx * (r.x1 - r.x0), y = r.y0 + fy * (r.y1 - r.y0);
    var j = Math.min(g.n - 1, Math.max(0, Math.floor(fx * g.n)));
    var i = Math.min(g.n - 1, Math.max(0, Math.floor(fy * g.n)));
    var b = this.bytes[i * g.n + j];
    var p = b === 255 ? "not finite" : (b / 254).toFixed(2);
    this.readout.textContent = "P(class 1) = " + p + " at x = " + x.toFixed(2) + ", y = " + y.toFixed(2);
  };

  /** Test hook: [r, g, b, a] of the heat map at data point (x, y). */
  Boundary.prototype.pixelAt = function (x, y) {
    var g = this.grid;
    if (!g) return null;
    var r = this.range(g), m = this.m;
    var px = (m.l + ((x - r.x0) / (r.x1 - r.x0)) * this.pw) * this.dpr;
    var py = (m.t + this.ph - ((y - r.y0) / (r.y1 - r.y0)) * this.ph) * this.dpr;
    var d = this.heat.getContext("2d").getImageData(Math.round(px), Math.round(py), 1, 1).data;
    return [d[0], d[1], d[2], d[3]];
  };

  // ---------------------------------------------------------------- drawing a payload
  function checkAlign(a, b) {
    var xa = a.cols[state.xAxis], xb = b.cols[state.xAxis];
    var m = Math.min(xa.length, xb.length);
    var al = state.align;
    for (var i = al.checked; i < m && al.ok; i++) if (xa[i] !== xb[i]) al.ok = false;
    al.checked = m;
    return al.ok;
  }

  // Compare mode with x values the runs do not share (e.g. updates at two batch sizes): one
  // merged x column and each run's columns on it (undefined where a run has no row, so its line
  // bridges). Rows with x below both runs' last x are final; only the tail is merged again.
  var Y_COLS = COLS.slice(X_COLS.length);
  var merged = null;

  function resetAlign() {
    state.align.checked = 0;
    state.align.ok = true;
    merged = null;
  }

  function merge(srcs) {
    var k, c, m = merged;
    if (!m) {
      m = merged = { x: [], ys: [], at: [], frozen: 0 };
      for (k = 0; k < srcs.length; k++) {
        var ys = {};
        for (c = 0; c < Y_COLS.length; c++) ys[Y_COLS[c]] = [];
        m.ys.push(ys);
        m.at.push(0);
      }
    }
    m.x.length = m.frozen;
    for (k = 0; k < srcs.length; k++) {
      for (c = 0; c < Y_COLS.length; c++) m.ys[k][Y_COLS[c]].length = m.frozen;
    }
    // Rows with x below every growing run's last x are final (a ghost does not grow).
    var xs = [], at = [], limit = Infinity;
    for (k = 0; k < srcs.length; k++) {
      xs.push(srcs[k].held.cols[state.xAxis]);
      at.push(m.at[k]);
      var n = xs[k].length;
      if (!srcs[k].ghost) limit = Math.min(limit, n ? xs[k][n - 1] : -Infinity);
    }
    for (;;) {
      var best = Infinity;
      for (k = 0; k < srcs.length; k++) {
        if (at[k] < xs[k].length && xs[k][at[k]] < best) best = xs[k][at[k]];
      }
      if (best === Infinity) break;
      m.x.push(best);
      for (k = 0; k < srcs.length; k++) {
        var take = at[k] < xs[k].length && xs[k][at[k]] === best;
        var cols = srcs[k].held.cols;
        for (c = 0; c < Y_COLS.length; c++) {
          m.ys[k][Y_COLS[c]].push(take ? cols[Y_COLS[c]][at[k]] : undefined);
        }
        if (take) at[k] += 1;
      }
      if (best < limit) {
        m.frozen = m.x.length;
        for (k = 0; k < srcs.length; k++) m.at[k] = at[k];
      }
    }
    return m;
  }

  // [x, then `names` of each source]: on one run's x column when the runs share their x
  // values (the shorter run ends early), else on the merged x column.
  function curveData(srcs, names, m) {
    var data, i, k;
    if (m) {
      data = [m.x];
      for (i = 0; i < srcs.length; i++) {
        for (k = 0; k < names.length; k++) data.push(m.ys[i][names[k]]);
      }
      data.stable = m.frozen;   // rows past it are merged again by the next payload
      return data;
    }
    var longest = srcs[0].held;
    for (i = 1; i < srcs.length; i++) if (srcs[i].held.n > longest.n) longest = srcs[i].held;
    data = [longest.cols[state.xAxis]];
    for (i = 0; i < srcs.length; i++) {
      for (k = 0; k < names.length; k++) data.push(srcs[i].held.cols[names[k]]);
    }
    data.stable = Infinity;   // a shorter run's rows past its end come later
    for (i = 0; i < data.length; i++) data.stable = Math.min(data.stable, data[i].length);
    return data;
  }

  function push(u, raw) {
    u.liveRaw = raw;
    var data = summarize(u, raw);
    u.batch(function () {
      if (u.liveZoom) {
        u.setData(data, false);
        u.setScale("x", { min: u.liveZoom.min, max: u.liveZoom.max });
      } else {
        u.setData(data, true);
      }
    });
    showLast(u);
  }

  // Without a cursor on the chart, its legend shows each line's newest value (the x: the first
  // run's newest row).
  function showLast(u) {
    var d = u.data;
    if (!d || !d[0] || d[0].length === 0 || u.cursor.left >= 0) return;
    var idxs = [];
    for (var s = 0; s < d.length; s++) idxs.push(lastDefined(d[s === 0 ? 1 : s] || d[0]));
    u.setLegend({ idxs: idxs }, false);
  }

  function lastDefined(col) {
    var i = col.length - 1;
    while (i > 0 && col[i] === undefined) i--;
    return i < 0 ? null : i;
  }

  // Each run's status line (normviz.lab_status.status_line: Markdown whose only markup is
  // **bold**), drawn as text above the charts.
  var statusKey = "";
  function drawStatus() {
    var lines = state.labels.map(function (l) {
      var r = state.runs[l];
      return r && r.status ? r.status : "";
    }).filter(function (t) { return t; });
    var key = lines.join("\n");
    if (key === statusKey) return;
    statusKey = key;
    var box = document.getElementById("status");
    if (!box) return;
    box.textContent = "";
    lines.forEach(function (text) {
      var p = el("p", "live-status-line", box);
      text.split("**").forEach(function (part, i) {
        if (!part) return;
        if (i % 2) el("strong", "", p).textContent = part;
        else p.appendChild(document.createTextNode(part));
      });
    });
  }

  function render() {
    drawStatus();
    if (charts.layout !== layoutKey()) build();
    var srcs = sources(), m = null;
    if (srcs.length > 1) {
      var aligned = srcs.length === 2 && !srcs[1].ghost && checkAlign(srcs[0].held, srcs[1].held);
      if (!aligned) m = merge(srcs);
    }
    push(charts.loss, curveData(srcs, ["train_loss", "test_loss"], m));
    push(charts.acc, curveData(srcs, ["train_acc", "test_acc"], m));
    push(charts.norm, curveData(srcs, ["weight_norm", "sparsity"], m));
    var top = 1, i, run;
    for (i = 0; i < charts.hist.length; i++) {
      run = state.runs[charts.hist[i].liveLabel];
      if (run && run.hist && run.hist.counts) {
        for (var c = 0; c < run.hist.counts.length; c++) {
          if (run.hist.counts[c] > top) top = run.hist.counts[c];
        }
      }
    }
    histTop = top;
    for (i = 0; i < charts.hist.length; i++) {
      var u = charts.hist[i];
      run = state.runs[u.liveLabel];
      if (!run || !run.hist || !run.hist.counts) continue;
      var counts = run.hist.counts;
      var hd = [histCentres(state.histLimit, counts.length), counts];
      u.batch(function () { u.setData(hd, true); });
    }
    for (i = 0; i < charts.boundaries.length; i++) charts.boundaries[i].draw();
    setAlt(nodes.curves, state.alt.curves);
    setAlt(nodes.norm, state.alt.norm);
    setAlt(nodes.hist, state.alt.hist);
  }

  // ---------------------------------------------------------------- width changes
  // The frame's height follows its content (reportHeight), so a payload that adds or removes a
  // run resizes the window: a change of height alone leaves every chart as drawn (their sizes
  // follow the width), and redrawing them all again cost the page's main thread per switch.
  var resizeQueued = false;
  function onResize() {
    if (resizeQueued) return;
    resizeQueued = true;
    requestAnimationFrame(function () {
      resizeQueued = false;
      if (!charts.loss) return;
      var width = document.documentElement.clientWidth;
      var layout = layoutKey();
      if (layout === charts.layout && width === charts.width) return;
      stats.resized += 1;
      if (layout !== charts.layout) {
        build();
        render();
        return;
      }
      charts.width = width;
      ["loss", "acc", "norm"].forEach(function (k) {
        var u = charts[k];
        u.setSize({ width: widthOf(u.liveHost), height: u.liveHeight });
        if (u.liveRaw) push(u, u.liveRaw);
      });
      charts.hist.forEach(function (u) {
        u.setSize({ width: widthOf(u.liveHost), height: u.liveHeight });
      });
      charts.boundaries.forEach(function (b) {
        b.resize();
        b.draw();
      });
    });
  }
  window.addEventListener("resize", onResize);

  // Keys pressed while the focus is in this frame (after a click on a chart) go on to the host
  // page, whose document holds the app's keyboard shortcuts (the lab's Start, Pause, Step);
  // key-ups too, or a shortcut library that tracks held keys sees the first key held forever.
  function forwardKey(e) {
    var init = {
      key: e.key, code: e.code, location: e.location, repeat: e.repeat, altKey: e.altKey,
      ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey, bubbles: true,
      cancelable: true,
    };
    try {
      window.parent.document.dispatchEvent(new KeyboardEvent(e.type, init));
    } catch (err) {
      // a host of another origin: its shortcuts are out of reach
    }
  }
  window.addEventListener("keydown", forwardKey);
  window.addEventListener("keyup", forwardKey);

  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(reportHeight).observe(document.body);
  }
  // Streamlit titles the frame with the component's module path; a screen reader should hear
  // what it holds. The frame is same-origin, so its element is reachable.
  try {
    if (window.frameElement) window.frameElement.title = document.title;
  } catch (e) { /* a cross-origin host: keep its title */ }
  post({ type: "streamlit:componentReady", apiVersion: 1 });
  reportHeight();
})();
