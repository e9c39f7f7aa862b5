// @ts-check
// Fleet: counts by lifecycle, connectivity, stream, MCU, radio and model; events/s; the device
// table. Filtering, sorting and paging happen in the API (limit/offset), so the page only ever
// holds one page of rows however large the fleet is.
import { api } from '../api.js';
import { badge, clear, field, fmtAgo, fmtInt, h, panel, select, throttle } from '../dom.js';

/** @typedef {import('../api-types').Device} Device */
/** @typedef {import('../api-types').DevicePage} DevicePage */
/** @typedef {import('../api-types').FleetSummary} FleetSummary */
/** @typedef {{ key: keyof Device, label: string, sort?: string, num?: boolean }} Column */
/** @typedef {'q' | 'stream' | 'mcuProfile' | 'lifecycle' | 'connectivity'} FilterKey */

const PAGE_SIZES = [25, 50, 100, 250];
/** @type {Column[]} */
const COLUMNS = [
  { key: 'id', label: 'Device', sort: 'id' },
  { key: 'hardwareId', label: 'Hardware id' },
  { key: 'sensorStream', label: 'Stream' },
  { key: 'mcuProfile', label: 'MCU' },
  { key: 'radioProfile', label: 'Radio' },
  { key: 'lifecycle', label: 'Lifecycle' },
  { key: 'connectivity', label: 'Connectivity' },
  { key: 'eventsCount', label: 'Events', sort: 'eventsCount', num: true },
  { key: 'lastSeenAt', label: 'Last seen', sort: 'lastSeenAt' },
  { key: 'createdAt', label: 'Registered', sort: 'createdAt' },
];
/** @type {Array<[keyof FleetSummary['counts'], string, FilterKey | null]>} */
const DIMENSIONS = [
  ['lifecycle', 'Lifecycle', 'lifecycle'],
  ['connectivity', 'Connectivity', 'connectivity'],
  ['stream', 'Stream', 'stream'],
  ['mcuProfile', 'MCU profile', 'mcuProfile'],
  ['radioProfile', 'Radio profile', null],
  ['model', 'Active model', null],
];

/**
 * @param {HTMLElement} root
 * @returns {import('../app.js').View}
 */
export function mount(root) {
  // Filters, sort and page live in memory for this visit (not in the URL).
  /** @type {Record<FilterKey, string> & { sort: string, order: string, limit: number, offset: number }} */
  const state = {
    q: '',
    stream: '',
    mcuProfile: '',
    lifecycle: '',
    connectivity: '',
    sort: 'createdAt',
    order: 'desc',
    limit: 50,
    offset: 0,
  };
  /** @type {Set<string>} */
  const seenIds = new Set();
  let firstLoad = true;
  /** @type {FleetSummary | null} */
  let summary = null;

  const stats = h('div', { class: 'stats', 'aria-label': 'Fleet totals' });
  const breakdown = h('div', { class: 'grid breakdown stack' });
  const filters = h('form', {
    class: 'filters',
    role: 'search',
    'aria-label': 'Filter devices',
    onsubmit: (/** @type {Event} */ e) => e.preventDefault(),
  });
  const table = h('div', { class: 'table-wrap' });
  const pager = h('div', { class: 'pager' });
  const liveNote = h('p', { class: 'muted', 'aria-live': 'polite' });
  clear(root, h('h1', {}, 'Fleet'), stats, breakdown, panel('Devices', filters, liveNote, table, pager));

  const search = h('input', { type: 'search', name: 'q', placeholder: 'id or hardware id', value: state.q });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let debounce;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => setFilter('q', search.value.trim()), 250);
  });
  /** @type {Partial<Record<FilterKey, HTMLSelectElement>>} */
  const selects = {};
  function renderFilters() {
    /**
     * @param {keyof FleetSummary['counts']} dim
     * @param {string} all the label of "no filter"
     */
    const opts = (dim, all) => [
      ['', all],
      ...Object.keys(summary?.counts[dim] ?? {})
        .sort()
        .map((k) => [k, k]),
    ];
    selects.stream = select('stream', opts('stream', 'All streams'), state.stream);
    selects.mcuProfile = select('mcuProfile', opts('mcuProfile', 'All MCUs'), state.mcuProfile);
    selects.lifecycle = select(
      'lifecycle',
      [['', 'All'], ...['PROVISIONED', 'ACTIVE', 'SUSPENDED', 'DECOMMISSIONED'].map((x) => [x, x])],
      state.lifecycle,
    );
    selects.connectivity = select(
      'connectivity',
      [
        ['', 'All'],
        ['ONLINE', 'Online'],
        ['OFFLINE', 'Offline'],
      ],
      state.connectivity,
    );
    const size = select(
      'limit',
      PAGE_SIZES.map((n) => [String(n), String(n)]),
      String(state.limit),
    );
    for (const [k, el] of Object.entries(selects))
      el.addEventListener('change', () => setFilter(/** @type {FilterKey} */ (k), el.value));
    size.addEventListener('change', () => setFilter('limit', Number(size.value)));
    clear(
      filters,
      field('Search', search),
      field('Stream', /** @type {HTMLSelectElement} */ (selects.stream)),
      field('MCU profile', /** @type {HTMLSelectElement} */ (selects.mcuProfile)),
      field('Lifecycle', /** @type {HTMLSelectElement} */ (selects.lifecycle)),
      field('Connectivity', /** @type {HTMLSelectElement} */ (selects.connectivity)),
      field('Rows per page', size),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            search.value = '';
            Object.assign(state, { q: '', stream: '', mcuProfile: '', lifecycle: '', connectivity: '', offset: 0 });
            renderFilters();
            loadPage();
          },
        },
        'Clear filters',
      ),
    );
  }

  /**
   * @param {FilterKey | 'limit'} key
   * @param {string | number} value
   */
  function setFilter(key, value) {
    Object.assign(state, { [key]: value });
    state.offset = 0;
    // Keep the controls (and the keyboard focus) in place; only mirror a value set from elsewhere.
    const control = key === 'limit' ? undefined : selects[key];
    if (control && control.value !== value) control.value = String(value);
    loadPage();
  }

  async function loadSummary() {
    const hadSummary = summary !== null;
    /** @type {FleetSummary} */
    const fresh = await api('/api/dashboard/summary');
    summary = fresh;
    const c = fresh.counts;
    clear(
      stats,
      stat('Devices', fmtInt(fresh.total), 'devices-total'),
      stat('Online', fmtInt(c.connectivity.ONLINE ?? 0), 'devices-online'),
      stat('Offline', fmtInt(c.connectivity.OFFLINE ?? 0)),
      stat('Events/s', String(fresh.eventsPerSecond), 'events-rate'),
      stat('Events stored', fmtInt(fresh.eventsTotal)),
    );
    clear(
      breakdown,
      DIMENSIONS.map(([dim, title, filterKey]) => panel(title, bars(c[dim], fresh.total, filterKey))),
    );
    if (!hadSummary) renderFilters();
  }

  /**
   * @param {string} label
   * @param {string} value
   * @param {string} [testId]
   */
  function stat(label, value, testId) {
    return h(
      'div',
      { class: 'stat', 'data-testid': testId },
      h('span', { class: 'v' }, value),
      h('span', { class: 'k' }, label),
    );
  }

  /**
   * @param {Record<string, number>} counts
   * @param {number} total
   * @param {FilterKey | null} filterKey what a click on a bar filters by (null: not a filter)
   */
  function bars(counts, total, filterKey) {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    if (entries.length === 0) return h('p', { class: 'muted' }, 'No devices yet.');
    return h(
      'ul',
      { class: 'bars' },
      entries.map(([k, n]) =>
        h(
          'li',
          {},
          filterKey
            ? h(
                'button',
                { type: 'button', onclick: () => setFilter(filterKey, k), 'aria-label': `Show ${k} devices` },
                k,
              )
            : h('span', {}, k),
          h('span', { class: 'num' }, fmtInt(n)),
          h(
            'span',
            { class: 'bar', 'aria-hidden': 'true' },
            h('span', { style: { width: `${total ? (100 * n) / total : 0}%` } }),
          ),
        ),
      ),
    );
  }

  async function loadPage() {
    const params = new URLSearchParams();
    for (const k of /** @type {const} */ (['q', 'stream', 'mcuProfile', 'lifecycle', 'connectivity', 'sort', 'order']))
      if (state[k]) params.set(k, state[k]);
    params.set('limit', String(state.limit));
    params.set('offset', String(state.offset));
    /** @type {DevicePage} */
    const page = await api(`/api/devices?${params}`);
    /** @type {Set<string>} */
    const fresh = firstLoad ? new Set() : new Set(page.items.map((d) => d.id).filter((id) => !seenIds.has(id)));
    for (const d of page.items) seenIds.add(d.id);
    firstLoad = false;
    renderTable(page, fresh);
  }

  /** @param {Column} col */
  function sortHeader(col) {
    if (!col.sort) return h('th', { scope: 'col', class: col.num ? 'num' : undefined }, col.label);
    const active = state.sort === col.sort;
    const dir = active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none';
    return h(
      'th',
      { scope: 'col', 'aria-sort': dir, class: col.num ? 'num' : undefined },
      h(
        'button',
        {
          type: 'button',
          class: 'sort',
          onclick: () => {
            state.order =
              active && state.order === 'desc' ? 'asc' : active ? 'desc' : col.sort === 'id' ? 'asc' : 'desc';
            state.sort = /** @type {string} */ (col.sort);
            state.offset = 0;
            loadPage();
          },
        },
        col.label,
        active ? (state.order === 'asc' ? ' ▲' : ' ▼') : ' ↕',
      ),
    );
  }

  let lastSignature = '';
  /**
   * @param {DevicePage} page
   * @param {Set<string>} fresh ids that appeared since the last refresh
   */
  function renderTable(page, fresh) {
    // Live refreshes come every few seconds: leave the DOM (and the keyboard focus) alone when
    // nothing on this page changed, and put the focus back where it was when something did.
    const signature = JSON.stringify([page, state.sort, state.order]);
    if (signature === lastSignature && fresh.size === 0) return;
    lastSignature = signature;
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const focusRow =
      active && table.contains(active)
        ? /** @type {HTMLElement | null} */ (active.closest('tr[data-device]'))?.dataset.device
        : undefined;
    const focusSort =
      active && table.contains(active) && active.classList.contains('sort')
        ? active.closest('th')?.cellIndex
        : undefined;
    const pagerFocus =
      active && pager.contains(active)
        ? [...pager.querySelectorAll('button')].indexOf(/** @type {HTMLButtonElement} */ (active))
        : -1;
    const body = page.items.map((d) =>
      h(
        'tr',
        { class: fresh.has(d.id) ? 'fresh' : undefined, 'data-device': d.id },
        h('td', {}, h('a', { href: `#/device/${d.id}` }, d.id)),
        h('td', { class: 'mono' }, d.hardwareId),
        h('td', {}, d.sensorStream),
        h('td', {}, d.mcuProfile),
        h('td', {}, d.radioProfile),
        h('td', {}, badge(d.lifecycle)),
        h('td', {}, badge(d.connectivity)),
        h('td', { class: 'num' }, fmtInt(d.eventsCount)),
        h('td', { title: d.lastSeenAt ?? '' }, fmtAgo(d.lastSeenAt)),
        h('td', { title: d.createdAt }, fmtAgo(d.createdAt)),
      ),
    );
    clear(
      table,
      h(
        'table',
        { 'aria-label': 'Devices', 'aria-rowcount': page.total + 1 },
        h('thead', {}, h('tr', {}, COLUMNS.map(sortHeader))),
        h(
          'tbody',
          {},
          body.length ? body : h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'muted' }, 'No device matches.')),
        ),
      ),
    );
    const from = page.total === 0 ? 0 : page.offset + 1;
    const to = page.offset + page.items.length;
    const lastOffset = Math.max(0, Math.floor((page.total - 1) / state.limit) * state.limit);
    const go = (/** @type {number} */ offset) => () => {
      state.offset = offset;
      loadPage();
    };
    clear(
      pager,
      h('button', { type: 'button', onclick: go(0), disabled: page.offset === 0 }, '« First'),
      h(
        'button',
        { type: 'button', onclick: go(Math.max(0, page.offset - state.limit)), disabled: page.offset === 0 },
        '‹ Previous',
      ),
      h('span', { 'data-testid': 'page-range' }, `${fmtInt(from)}–${fmtInt(to)} of ${fmtInt(page.total)}`),
      h('button', { type: 'button', onclick: go(page.offset + state.limit), disabled: to >= page.total }, 'Next ›'),
      h('button', { type: 'button', onclick: go(lastOffset), disabled: to >= page.total }, 'Last »'),
    );
    if (focusRow) /** @type {HTMLElement | null} */ (table.querySelector(`tr[data-device="${focusRow}"] a`))?.focus();
    else if (focusSort !== undefined) table.querySelectorAll('th')[focusSort]?.querySelector('button')?.focus();
    else if (pagerFocus >= 0) {
      const buttons = [...pager.querySelectorAll('button')];
      (buttons[pagerFocus]?.disabled ? buttons.find((b) => !b.disabled) : buttons[pagerFocus])?.focus();
    }
  }

  const refresh = throttle(() => Promise.all([loadSummary(), loadPage()]).catch(showError), 1500);
  const refreshSlow = throttle(() => Promise.all([loadSummary(), loadPage()]).catch(showError), 5000);
  /** @param {Error} err */
  function showError(err) {
    liveNote.textContent = `Could not refresh: ${err.message}`;
  }

  Promise.all([loadSummary(), loadPage()]).catch(showError);

  return {
    onLive(msg) {
      if (msg.type === 'device') {
        if (msg.change === 'registered') liveNote.textContent = `New device ${msg.deviceId} registered.`;
        refresh();
      } else if (msg.type === 'events') {
        const rate = stats.querySelector('[data-testid="events-rate"] .v');
        if (rate) rate.textContent = String(msg.eventsPerSecond);
        if (msg.count > 0) refreshSlow();
      }
    },
    dispose() {
      refresh.cancel();
      refreshSlow.cancel();
      clearTimeout(debounce);
    },
  };
}
