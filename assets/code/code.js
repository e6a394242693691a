// A lesson's code box (pages/_code_view.py): the server's highlighted code and a Copy button
// that puts the code, exactly as written, on the clipboard. No library, no script run.
//
// Streamlit calls this function on mount and again whenever the page sends new data: the box
// keeps its state on its root element and swaps its code only when the code changed.

function setup(root) {
  const st = {
    root, data: null, html: null,
    lang: root.querySelector('.nv-code-lang'),
    said: root.querySelector('.nv-code-said'),
    copy: root.querySelector('.nv-code-copy'),
    host: root.querySelector('.nv-code-host'),
  };
  st.copy.onclick = () => copy(st); // a property, not a listener: a second setup replaces it
  return st;
}

// What the last press did stays beside the button (no timer: a message that goes by itself
// would change the page long after the press) until the code changes or Copy is pressed again.
function say(st, text) {
  st.said.textContent = '';
  st.said.textContent = text;
}

// The clipboard API where the page may use it (https, localhost); else a selected text area and
// the copy command; else the code is selected for the reader to copy with the keyboard.
async function copy(st) {
  const text = st.data.code;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      say(st, 'Copied');
      return;
    }
  } catch (e) { /* denied: try the copy command */ }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.cssText = 'position:fixed;top:0;left:0;opacity:0;';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
  area.remove();
  st.copy.focus(); // the text area took the focus: give it back
  if (ok) {
    say(st, 'Copied');
    return;
  }
  const code = st.host.querySelector('code');
  const range = document.createRange();
  range.selectNodeContents(code);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  say(st, 'Selected: press Ctrl+C to copy');
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector('.nv-codebox');
  if (!root || !data) return undefined;
  const st = root.nvCode || (root.nvCode = setup(root));
  st.data = data;
  if (st.html !== data.html) {
    st.host.innerHTML = data.html;
    st.html = data.html;
    st.said.textContent = ''; // new code: not what was copied
  }
  // Written only when they differ: a write is a DOM change even when the value is the same,
  // and every rerun that sends the box calls this.
  if (st.lang.textContent !== data.language) st.lang.textContent = data.language;
  const name = `Copy the code: ${data.label}`;
  if (st.copy.getAttribute('aria-label') !== name) st.copy.setAttribute('aria-label', name);
  return undefined;
}
