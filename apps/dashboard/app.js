// @ts-check
// The dashboard shell: hash routes to one view module each, and one live stream fanned out to
// the view on screen. A view is mount(el, params) → { dispose(), onLive?(message) }.
import { connectLive } from './api.js';
import { clear, h } from './dom.js';

/**
 * What a view module's mount() returns.
 * @typedef {{ dispose?: () => void, onLive?: (message: import('./api.js').LiveMessage) => void }} View
 */
/** @typedef {{ mount(el: HTMLElement, params: string[]): View }} ViewModule */

/** @type {Array<[RegExp, string, () => Promise<ViewModule>]>} */
const ROUTES = [
  [/^#\/fleet$/, 'fleet', () => import('./views/fleet.js')],
  [/^#\/device\/([a-z0-9-]+)$/, 'fleet', () => import('./views/device.js')],
  [/^#\/models$/, 'models', () => import('./views/models.js')],
  [/^#\/rollouts$/, 'rollouts', () => import('./views/rollouts.js')],
  [/^#\/energy$/, 'energy', () => import('./views/energy.js')],
  [/^#\/drift$/, 'drift', () => import('./views/drift.js')],
  [/^#\/evidence$/, 'evidence', () => import('./views/evidence.js')],
];

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
/** @type {View | null} */
let current = null;
let generation = 0;

async function route() {
  const hash = location.hash || '#/fleet';
  const match = ROUTES.map(([re, nav, load]) => ({ m: re.exec(hash), nav, load })).find((r) => r.m);
  if (!match) {
    location.replace('#/fleet');
    return;
  }
  const mine = ++generation;
  current?.dispose?.();
  current = null;
  for (const a of document.querySelectorAll('#nav a')) {
    if (!(a instanceof HTMLElement)) continue;
    if (a.dataset.view === match.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  clear(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const mod = await match.load();
    if (mine !== generation) return;
    const view = mod.mount(main, /** @type {RegExpExecArray} */ (match.m).slice(1));
    if (mine !== generation) view.dispose?.();
    else current = view;
  } catch (err) {
    clear(
      main,
      h('p', { class: 'error', role: 'alert' }, `Could not load this view: ${/** @type {Error} */ (err).message}`),
    );
  }
}

const liveText = /** @type {HTMLElement} */ (document.getElementById('live-text'));
const liveState = /** @type {HTMLElement} */ (document.getElementById('live-state'));
let eventsPerSecond = 0;
/** @param {string} state */
function showLive(state) {
  liveState.dataset.state = state;
  liveText.textContent = state === 'live' ? `live · ${eventsPerSecond} events/s` : state;
}

connectLive((msg) => {
  if (msg.type === 'hello' || msg.type === 'events') {
    eventsPerSecond = msg.eventsPerSecond;
    showLive('live');
  }
  current?.onLive?.(msg);
}, showLive);

window.addEventListener('hashchange', () => {
  route();
  // Move focus to the new content for keyboard and screen-reader users.
  main.focus({ preventScroll: true });
});
route();
