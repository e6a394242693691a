// Loads, while the page idles, the JavaScript modules of the Streamlit elements a lesson shows
// only after its first view (pages/_warm_widgets.py sends their file names), so that the first
// slider, button group, radio, metric, code box or progress bar to appear waits for no download
// and no compile. Each is imported from where Streamlit's own entry module would import it (the
// same URL: one module, loaded once), one per idle moment, once per page load.

const idle = (f) => (window.requestIdleCallback
  ? window.requestIdleCallback(f, { timeout: 3000 })
  : window.setTimeout(f, 200));

// Streamlit's entry module, index.<hash>.js, served from `at` (under the base path, if any).
function entryUrl(at) {
  const entry = document.querySelector(`script[type="module"][src*="${at}index."]`);
  return entry ? entry.src : null;
}

// window.__nvWarm says how far it got (the browser tests wait for done).
function warm(files, fonts, at) {
  const state = (window.__nvWarm = { files, done: false });
  const base = entryUrl(at);
  if (!base) return;
  const next = (i) => {
    if (i >= files.length) {
      state.done = true;
      // A font of the formulas' big delimiters, drawn by the first formula that needs it.
      for (const f of fonts) document.fonts.load(`16px ${f}`).catch(() => {});
      return;
    }
    import(new URL(files[i], base).href)
      .catch(() => {}) // a module that will not load is loaded (or reported) by Streamlit later
      .finally(() => idle(() => next(i + 1)));
  };
  idle(() => next(0));
}

export default function (component) {
  const { data } = component;
  if (!data || window.__nvWarm) return undefined;
  warm(data.files || [], data.fonts || [], data.at);
  return undefined;
}
