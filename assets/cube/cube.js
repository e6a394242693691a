// The layers lesson's frame player (pages/_cube_view.py): shows one frame of a drawing at a time,
// with Play/Pause and a frame slider, all in the browser (no script run). The drawing is sent
// once (an SVG cube, or the running statistics' panels); a frame is a few attribute values
// (payload ``targets``: [selector, attribute] pairs, every match set) and its title lines.
//
// Streamlit calls this function on mount and again whenever the page sends new data; it calls
// only the last returned cleanup, on unmount. So the player's state lives on its root element:
// one timer at most, replaced data picked up by the running timer, stopped on unmount (the
// elements and their observer go with the element).

const PLAY = '<span aria-hidden="true">▶</span> Play';
const PAUSE = '<span aria-hidden="true">❚❚</span> Pause';

function setup(root) {
  const st = {
    root, timer: null, k: null, data: null, svg: null, nodes: [],
    title: root.querySelector('.nv-cube-title'),
    draw: root.querySelector('.nv-cube-draw'),
    play: root.querySelector('.nv-cube-play'),
    range: root.querySelector('.nv-cube-step input'),
    at: root.querySelector('.nv-cube-at'),
    group: root.querySelector('.nv-cube-controls'),
  };
  // Handlers as properties, not added listeners: a second setup replaces them.
  st.play.onclick = () => (st.timer ? stop(st) : start(st));
  st.range.oninput = () => {
    stop(st);
    show(st, Number(st.range.value) - 1);
  };
  // Text keeps its size on screen whatever the drawing's scale (11 px at any width).
  st.resize = new ResizeObserver(() => fit(st));
  st.resize.observe(st.draw);
  return st;
}

function fit(st) {
  st.draw.querySelectorAll('svg[viewBox]').forEach((svg) => {
    if (svg.getAttribute('preserveAspectRatio') === 'none') return; // stretched: no text in it
    const box = svg.viewBox.baseVal;
    const r = svg.getBoundingClientRect();
    if (!r.width || !r.height || !box.width) return;
    const k = Math.max(box.width / r.width, box.height / r.height);
    svg.style.setProperty('--nv-k', k.toFixed(3));
  });
}

function show(st, k) {
  const frames = st.data.frames;
  if (!frames.length) return;
  st.k = Math.max(0, Math.min(k, frames.length - 1));
  const f = frames[st.k];
  st.nodes.forEach((nodes, i) => {
    nodes.forEach((e) => e.setAttribute(st.data.targets[i][1], f.set[i]));
  });
  st.title.replaceChildren(...f.title.map((line) => {
    const s = document.createElement('span');
    s.textContent = line;
    return s;
  }));
  st.range.value = String(st.k + 1);
  st.range.setAttribute('aria-valuetext', f.title.join(', '));
  st.at.textContent = f.at || `${st.data.unit || 'set'} ${st.k + 1} of ${frames.length}`;
  st.root.dataset.set = String(st.k);
}

function start(st) {
  const n = st.data.frames.length;
  if (n < 2) return;
  if (st.k >= n - 1) show(st, 0); // from the start again after the last frame
  st.play.innerHTML = PAUSE;
  st.play.setAttribute('aria-label', 'Pause');
  st.root.dataset.playing = 'true';
  st.timer = setInterval(() => {
    const count = st.data.frames.length;
    if (!st.root.isConnected || st.k >= count - 1) {
      stop(st);
      return;
    }
    show(st, st.k + 1);
    if (st.k >= count - 1) stop(st); // as Plotly's Play: once through, to the last frame
  }, st.data.ms || 700);
}

function stop(st) {
  if (st.timer) clearInterval(st.timer);
  st.timer = null;
  st.play.innerHTML = PLAY;
  st.play.setAttribute('aria-label', 'Play');
  st.root.dataset.playing = 'false';
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector('.nv-cube');
  if (!root || !data) return undefined;
  const st = root.nvCube || (root.nvCube = setup(root));
  const old = st.data;
  // A player that starts at its last frame (the whole stream shown) stays at the last frame
  // when new data comes while it is there; otherwise the frame shown is kept.
  const atEnd = old && st.k !== null && st.k >= old.frames.length - 1;
  st.data = data;
  const names = data.names || {};
  st.group.setAttribute('aria-label', names.group || 'Statistic sets');
  st.range.setAttribute('aria-label', names.slider || 'Statistic set shown');
  root.dataset.kind = data.kind || 'cube';
  if (st.svg !== data.svg) { // new drawing: swapped in whole, then the frame shown set again
    st.draw.innerHTML = data.svg;
    st.svg = data.svg;
    fit(st);
  }
  st.nodes = (data.targets || []).map(([sel]) => Array.from(st.draw.querySelectorAll(sel)));
  const lines = Math.max(1, ...data.frames.map((f) => f.title.length));
  st.title.style.minHeight = `${(1.4 * lines).toFixed(1)}em`;
  const n = data.frames.length;
  st.range.max = String(Math.max(n, 1));
  st.range.disabled = n < 2;
  st.play.disabled = n < 2;
  if (n < 2) stop(st);
  const last = data.start === 'last';
  show(st, st.k === null || (last && atEnd) ? (last ? n - 1 : 0) : st.k);
  if (!st.timer) stop(st); // the button's label and state
  // On unmount (or when a newer call overtook this one): no timer left running.
  return () => stop(st);
}
