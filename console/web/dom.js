// Small DOM helpers: build elements, and update a region in place without replacing what did not
// change (so that focus, selection and open details survive the live updates).

/**
 * h('button', { type: 'button', onclick: fn, class: 'x' }, 'text', child…)
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value' && 'value' in el) /** @type {any} */ (el).value = value;
    else if (key === 'checked' && 'checked' in el) /** @type {any} */ (el).checked = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children to `el`, skipping null, undefined and false (the DOM's append would write "null"). */
export function mount(el, ...children) {
  append(el, children);
}

/** @param {Node} el @param {any[]} children */
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Makes `el`'s children equal to `children`, keeping every existing node that is equal to its
 * replacement (same tag, attributes and text), so a live update leaves focus where it was.
 * @param {Element} el
 * @param {any[]} children
 */
export function sync(el, children) {
  const next = [];
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    next.push(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  for (let i = 0; i < next.length; i++) {
    const current = el.childNodes[i];
    if (!current) el.appendChild(next[i]);
    else if (!current.isEqualNode(next[i])) {
      if (
        current.nodeType === 1 &&
        next[i].nodeType === 1 &&
        current.nodeName === next[i].nodeName &&
        current.childNodes.length &&
        keepsListeners(current)
      ) {
        syncAttributes(/** @type {Element} */ (current), /** @type {Element} */ (next[i]));
        sync(/** @type {Element} */ (current), [...next[i].childNodes]);
      } else el.replaceChild(next[i], current);
    }
  }
  while (el.childNodes.length > next.length) el.removeChild(/** @type {Node} */ (el.lastChild));
}

/** Containers (tables, lists) are patched inside; leaves with behaviour (buttons, links) are replaced. */
const keepsListeners = (/** @type {Node} */ node) =>
  [
    'TABLE',
    'TBODY',
    'THEAD',
    'TR',
    'UL',
    'OL',
    'DL',
    'DIV',
    'SECTION',
    'TD',
    'TH',
    'P',
    'SPAN',
    'LI',
  ].includes(node.nodeName);

/** @param {Element} current @param {Element} next */
function syncAttributes(current, next) {
  for (const { name } of [...current.attributes]) if (!next.hasAttribute(name)) current.removeAttribute(name);
  for (const { name, value } of [...next.attributes])
    if (current.getAttribute(name) !== value) current.setAttribute(name, value);
}

/** Says something to screen readers (and keeps it visible nowhere else). */
export function announce(text) {
  const el = document.getElementById('announcer');
  if (!el) return;
  el.textContent = '';
  setTimeout(() => (el.textContent = text), 50);
}

// ── formatting ──────────────────────────────────────────────────────────────────────────────

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

export const fmtInt = (n) => (n === null || n === undefined ? 'n/a' : integer.format(n));
export const fmtNum = (n) => (n === null || n === undefined ? 'n/a' : decimal.format(n));

export function fmtBytes(n) {
  if (n === null || n === undefined) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${decimal.format(n)} ${units[i]}`;
}

export function fmtSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return 'n/a';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.round(s / 86400)} d`;
}

/** "12 s ago" from an ISO time. */
export function fmtAge(iso, now = Date.now()) {
  if (!iso) return 'n/a';
  return `${fmtSeconds(Math.max(0, (now - Date.parse(iso)) / 1000))} ago`;
}

/** A local time with the date when it is not today; the ISO form as a tooltip. */
export function time(iso) {
  if (!iso) return h('span', null, 'n/a');
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  const text = today ? d.toLocaleTimeString('en-GB') : d.toLocaleString('en-GB');
  return h('time', { datetime: iso, title: iso }, text);
}

/** A badge whose meaning is in its text, colour only repeats it. */
export const badge = (text, tone = 'neutral') => h('span', { class: `badge ${tone}` }, text);

export const truncate = (s, n) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? ''));
