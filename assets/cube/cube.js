// The layers lesson's cube player (pages/_cube_view.py): shows one statistic set of an SVG cube
// at a time, with Play/Pause and a set slider, all in the browser (no script run).
//
// Streamlit calls this function on mount and again whenever the page sends new data; it calls
// only the last returned cleanup, on unmount. So the player's state lives on its root element:
// one timer at most, replaced data picked up by the running timer, stopped on unmount (the
// elements and their observer go with the element).

const PLAY = '<span aria-hidden="true">▶</span> Play';
const PAUSE = '<span aria-hidden="true">❚❚</span> Pause';

function setup(root) {
  const st = {
    root, timer: null, k: 0, data: null, svg: null, paths: null,
    title: root.querySelector('.nv-cube-title'),
    draw: root.querySelector('.nv-cube-draw'),
    play: root.querySelector('.nv-cube-play'),
    range: root.querySelector('.nv-cube-step input'),
    at: root.querySelector('.nv-cube-at'),
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
  const svg = st.draw.querySelector('svg');
  if (!svg) return;
  const box = svg.viewBox.baseVal;
  const r = svg.getBoundingClientRect();
  if (!r.width || !r.height || !box.width) return;
  const k = Math.max(box.width / r.width, box.height / r.height);
  svg.style.setProperty('--nv-k', k.toFixed(3));
}

function show(st, k) {
  const frames = st.data.frames;
  if (!frames.length) return;
  st.k = Math.max(0, Math.min(k, frames.length - 1));
  const f = frames[st.k];
  st.paths.cells.forEach((p, i) => p.setAttribute('d', f.cells[i]));
  st.paths.box.setAttribute('d', f.box);
  st.title.replaceChildren(...f.title.map((line) => {
    const s = document.createElement('span');
    s.textContent = line;
    return s;
  }));
  st.range.value = String(st.k + 1);
  st.range.setAttribute('aria-valuetext', f.title.join(', '));
  st.at.textContent = `set ${st.k + 1} of ${frames.length}`;
  st.root.dataset.set = String(st.k);
}

function start(st) {
  const n = st.data.frames.length;
  if (n < 2) return;
  if (st.k >= n - 1) show(st, 0); // from the start again after the last set
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
    if (st.k >= count - 1) stop(st); // as Plotly's Play: once through, to the last set
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
  st.data = data;
  if (st.svg !== data.svg) { // new drawing: swapped in whole, then the set shown set again
    st.draw.innerHTML = data.svg;
    st.svg = data.svg;
    const svg = st.draw.querySelector('svg');
    st.paths = {
      cells: ['front', 'top', 'side'].map((f) => svg.querySelector(`[data-face="${f}"]`)),
      box: svg.querySelector('.nv-box'),
    };
    fit(st);
  }
  const n = data.frames.length;
  st.range.max = String(Math.max(n, 1));
  st.range.disabled = n < 2;
  st.play.disabled = n < 2;
  if (n < 2) stop(st);
  show(st, st.k);
  if (!st.timer) stop(st); // the button's label and state
  // On unmount (or when a newer call overtook this one): no timer left running.
  return () => stop(st);
}
