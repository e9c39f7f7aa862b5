// @ts-check
// Tiny DOM helpers: the dashboard builds its views with h() instead of a framework.

/**
 * What h() accepts as children: nodes, text (numbers too), lists of children; null, undefined
 * and false are skipped (so `cond && h(…)` works). (JSDoc cannot name a recursive type: a list's
 * items are checked by append() at run time.)
 * @typedef {Node | string | number | null | undefined | false | unknown[]} Child
 */
/**
 * Attributes for h(): `on<event>` functions become listeners, `class`, `style` (an object) and
 * `value` are set as properties, `true` is an empty attribute; null, undefined and false are skipped.
 * @typedef {Record<string, unknown>} Attrs
 */

/**
 * h('a', { href, class, onclick }, ...children): strings become text (never HTML).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function')
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === 'class') el.className = /** @type {string} */ (v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'value') /** @type {HTMLInputElement} */ (el).value = /** @type {string} */ (v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {unknown[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Replaces the children of `el`.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const nf = new Intl.NumberFormat('en');
/** @typedef {number | string | null | undefined} Numeric a number, or a numeric string from the API (bigint columns) */

/** @param {Numeric} n */
export const fmtInt = (n) => (n === null || n === undefined ? '—' : nf.format(Number(n)));
/**
 * @param {Numeric} n
 * @param {number} [digits] significant digits
 */
export function fmtNum(n, digits = 3) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '—';
  return Number(Number(n).toPrecision(digits)).toLocaleString('en');
}
/** @param {number | null | undefined} b bytes */
export function fmtBytes(b) {
  if (b === null || b === undefined) return '—';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(2)} MiB`;
}
/** @param {number | null | undefined} x percent */
export function fmtPct(x) {
  return x === null || x === undefined ? '—' : `${fmtNum(x, 3)} %`;
}
/** @param {string | null | undefined} iso an ISO 8601 time */
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}
/** @param {string | null | undefined} iso an ISO 8601 time */
export function fmtAgo(iso) {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/**
 * A state badge; the colour class comes from the state name, the text says it too (not colour alone).
 * @param {unknown} state
 */
export const badge = (state) => h('span', { class: `badge b-${String(state).toLowerCase()}` }, String(state));

/**
 * Calls fn at most once per `ms`, trailing: live messages can arrive many times a second.
 * @param {() => void} fn
 * @param {number} ms
 * @returns {(() => void) & { cancel(): void }}
 */
export function throttle(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let last = 0;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  const t = () => {
    if (timer) return;
    timer = setTimeout(run, Math.max(0, last + ms - Date.now()));
  };
  t.cancel = () => timer && clearTimeout(timer);
  return /** @type {(() => void) & { cancel(): void }} */ (t);
}

/**
 * A <section> with a heading, the unit most views are made of.
 * @param {string} title
 * @param {...Child} children
 */
export const panel = (title, ...children) => {
  const id = `p-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
};

/**
 * A label + control pair (every input has a visible label).
 * @param {string} label
 * @param {HTMLElement} control
 * @param {Child} [hint]
 */
export function field(label, control, hint) {
  control.id ||= `f-${Math.random().toString(36).slice(2, 9)}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('small', {}, hint) : null,
  );
}

/**
 * A <select> of [value, text] options with `value` selected.
 * @param {string} name
 * @param {ReadonlyArray<ReadonlyArray<string>>} options [value, text] pairs
 * @param {string | null} value
 * @param {Attrs} [attrs]
 */
export function select(name, options, value, attrs = {}) {
  return h(
    'select',
    { name, ...attrs },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
}
