// Tiny DOM helpers: the dashboard builds its views with h() instead of a framework.

/** h('a', { href, class, onclick }, ...children): strings become text (never HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const nf = new Intl.NumberFormat('en');
export const fmtInt = (n) => (n === null || n === undefined ? '—' : nf.format(Number(n)));
export function fmtNum(n, digits = 3) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '—';
  return Number(Number(n).toPrecision(digits)).toLocaleString('en');
}
export function fmtBytes(b) {
  if (b === null || b === undefined) return '—';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(2)} MiB`;
}
export function fmtPct(x) {
  return x === null || x === undefined ? '—' : `${fmtNum(x, 3)} %`;
}
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}
export function fmtAgo(iso) {
  if (!iso) return 'never';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A state badge; the colour class comes from the state name, the text says it too (not colour alone). */
export const badge = (state) => h('span', { class: `badge b-${String(state).toLowerCase()}` }, String(state));

/** Calls fn at most once per `ms`, trailing: live messages can arrive many times a second. */
export function throttle(fn, ms) {
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
  return t;
}

/** A <section> with a heading, the unit most views are made of. */
export const panel = (title, ...children) => {
  const id = `p-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
};

/** A label + control pair (every input has a visible label). */
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

export function select(name, options, value, attrs = {}) {
  return h(
    'select',
    { name, ...attrs },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
}
