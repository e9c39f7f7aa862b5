// @ts-check
// Energy: the comparison report's figures drawn as charts — edge inference vs streaming raw data,
// radio vs compute vs sensing vs sleep, battery life, and the fleet over time — with its filters.
import { api } from '../api.js';
import { chart, COLORS } from '../charts.js';
import { clear, field, fmtNum, h, panel, select } from '../dom.js';

/** @typedef {import('../api-types').EnergyReport} EnergyReport */
/** @typedef {EnergyReport['groups'][number]} ReportGroup */
/** @typedef {import('../api-types').FleetSummary} FleetSummary */
/** @typedef {'from' | 'to' | 'stream' | 'mcuProfile' | 'radioProfile' | 'modelVersion' | 'groupBy'} FilterKey */

/** @type {Array<[string, string]>} */
const GROUP_BYS = [
  ['stream', 'Stream'],
  ['mcuProfile', 'MCU profile'],
  ['radioProfile', 'Radio profile'],
  ['modelVersion', 'Model version'],
  ['device', 'Device'],
];

/**
 * @param {HTMLElement} root
 * @returns {import('../app.js').View}
 */
export function mount(root) {
  /** @type {Array<import('chart.js').Chart | null>} */
  const charts = [];
  /** @type {Record<FilterKey, string>} */
  const filters = {
    from: '',
    to: '',
    stream: '',
    mcuProfile: '',
    radioProfile: '',
    modelVersion: '',
    groupBy: 'stream',
  };
  const form = h('form', {
    class: 'filters',
    'aria-label': 'Report filters',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      readForm();
      load();
    },
  });
  const headline = h('div', { class: 'stats' });
  const body = h('div');
  clear(root, h('h1', {}, 'Energy'), panel('Filters', form), headline, body);

  /** @type {Record<FilterKey, HTMLInputElement | HTMLSelectElement> | null} */
  let controls = null;
  async function buildForm() {
    /** @type {FleetSummary} */
    const summary = await api('/api/dashboard/summary');
    /**
     * @param {keyof FleetSummary['counts']} dim
     * @param {string} all the label of "no filter"
     */
    const opt = (dim, all) => [
      ['', all],
      ...Object.keys(summary.counts[dim])
        .filter((k) => k !== 'unknown')
        .sort()
        .map((k) => [k, k]),
    ];
    const built = {
      from: h('input', { type: 'datetime-local', name: 'from' }),
      to: h('input', { type: 'datetime-local', name: 'to' }),
      stream: select('stream', opt('stream', 'All streams'), ''),
      mcuProfile: select('mcuProfile', opt('mcuProfile', 'All MCUs'), ''),
      radioProfile: select('radioProfile', opt('radioProfile', 'All radios'), ''),
      modelVersion: select('modelVersion', opt('model', 'All models'), ''),
      groupBy: select('groupBy', GROUP_BYS, filters.groupBy),
    };
    controls = built;
    clear(
      form,
      field('From (UTC)', built.from),
      field('To (UTC)', built.to),
      field('Stream', built.stream),
      field('MCU profile', built.mcuProfile),
      field('Radio profile', built.radioProfile),
      field('Active model', built.modelVersion),
      field('Compare by', built.groupBy),
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    );
  }

  function readForm() {
    const read = /** @type {Record<FilterKey, HTMLInputElement | HTMLSelectElement>} */ (controls);
    for (const k of /** @type {FilterKey[]} */ (Object.keys(filters))) filters[k] = read[k].value;
  }

  async function load() {
    const params = new URLSearchParams({ format: 'json' });
    for (const k of /** @type {const} */ (['stream', 'mcuProfile', 'radioProfile', 'modelVersion']))
      if (filters[k]) params.set(k, filters[k]);
    for (const k of /** @type {const} */ (['from', 'to']))
      if (filters[k]) params.set(k, new Date(`${filters[k]}:00Z`).toISOString());
    clear(body, h('p', { class: 'muted' }, 'Building the report…'));
    /** @type {EnergyReport} */
    const report = await api(`/api/energy/report?${params}`);
    for (const c of charts.splice(0)) c?.destroy();
    const f = report.fleet.figures;
    clear(
      headline,
      stat('Devices', fmtNum(f.devices)),
      stat('Device-days observed', fmtNum(f.deviceDays)),
      stat('Edge J/day', fmtNum(f.edgeJoulesPerDay.total)),
      stat('Raw J/day', fmtNum(f.rawJoulesPerDay.total)),
      stat('Saving vs raw', f.edgeSavingPct === null ? '—' : `${fmtNum(f.edgeSavingPct)} %`),
      stat('Radio share', f.radioSharePct === null ? '—' : `${fmtNum(f.radioSharePct)} %`),
    );
    if (!f.devices) {
      clear(body, panel('No data', h('p', { class: 'muted' }, 'No energy snapshots match these filters.')));
      return;
    }
    const groups = report.groups.filter((g) => g.groupBy === filters.groupBy && g.figures.devices > 0);
    const names = groups.map((g) => g.label ?? g.key);
    const boxes = { pair: box(), split: box(), battery: box(), time: box() };
    const by = /** @type {[string, string]} */ (GROUP_BYS.find(([k]) => k === filters.groupBy))[1].toLowerCase();
    clear(
      body,
      h(
        'div',
        { class: 'grid stack' },
        panel(
          'Edge vs raw',
          figure(
            boxes.pair,
            `Energy per device-day by ${by}: running the model on the device and sending events (edge) vs streaming raw samples (raw).`,
          ),
        ),
        panel(
          'Radio vs compute',
          figure(
            boxes.split,
            `Where the edge energy goes, per device-day by ${by}: radio, compute, sensing and sleep.`,
          ),
        ),
      ),
      h(
        'div',
        { class: 'grid stack' },
        panel(
          'Battery life',
          figure(
            boxes.battery,
            `Median projected battery life per ${by} (days) on each device's own cell, edge vs raw.`,
          ),
        ),
        panel(
          'Over time',
          figure(boxes.time, `Fleet energy per device-day in each ${report.filters.bucket} (J/day), edge vs raw.`),
        ),
      ),
      report.findings.length
        ? panel(
            'Findings',
            h(
              'ul',
              {},
              report.findings.map((x) => h('li', {}, x)),
            ),
          )
        : null,
      h(
        'p',
        { class: 'muted' },
        'Full report with assumptions and sources: ',
        h(
          'a',
          {
            href: `/api/energy/report?${new URLSearchParams({ ...Object.fromEntries(params), format: 'html' })}`,
            target: '_blank',
            rel: 'noopener',
          },
          'HTML',
        ),
        ' · ',
        h(
          'a',
          { href: `/api/energy/report?${new URLSearchParams({ ...Object.fromEntries(params), format: 'csv' })}` },
          'CSV',
        ),
      ),
    );

    /**
     * A dataset in one colour.
     * @param {string} label
     * @param {number[]} data
     * @param {string} color
     * @param {object} [extra] more dataset options
     */
    const bar = (label, data, color, extra = {}) => ({
      label,
      data,
      backgroundColor: color,
      borderColor: color,
      ...extra,
    });
    charts.push(
      chart(boxes.pair, `Edge vs raw J per device-day by ${by}`, {
        type: 'bar',
        data: {
          labels: names,
          datasets: [
            bar(
              'edge',
              groups.map((g) => g.figures.edgeJoulesPerDay.total),
              COLORS.edge,
            ),
            bar(
              'raw',
              groups.map((g) => g.figures.rawJoulesPerDay.total),
              COLORS.raw,
            ),
          ],
        },
        options: { scales: { y: { title: { display: true, text: 'J / device-day' }, beginAtZero: true } } },
      }),
    );
    charts.push(
      chart(boxes.split, `Edge energy split by ${by}`, {
        type: 'bar',
        data: {
          labels: names,
          datasets: /** @type {const} */ (['radio', 'compute', 'sensing', 'sleep']).map((k) =>
            bar(
              k,
              groups.map((g) => g.figures.edgeJoulesPerDay[k]),
              COLORS[k],
            ),
          ),
        },
        options: {
          scales: {
            x: { stacked: true },
            y: { stacked: true, beginAtZero: true, title: { display: true, text: 'J / device-day' } },
          },
        },
      }),
    );
    charts.push(
      chart(boxes.battery, `Battery life by ${by}, edge vs raw`, {
        type: 'bar',
        data: {
          labels: names,
          datasets: [
            bar(
              'edge',
              groups.map((g) => g.figures.battery.edgeDays),
              COLORS.edge,
            ),
            bar(
              'raw',
              groups.map((g) => g.figures.battery.rawDays),
              COLORS.raw,
            ),
          ],
        },
        options: { scales: { y: batteryAxis(groups) } },
      }),
    );
    const ts = report.timeSeries;
    charts.push(
      chart(boxes.time, 'Fleet energy over time, edge vs raw', {
        type: 'line',
        data: {
          labels: ts.map((r) =>
            new Date(r.key).toLocaleString('en-GB', {
              timeZone: 'UTC',
              month: 'short',
              day: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
            }),
          ),
          datasets: [
            bar(
              'edge',
              ts.map((r) => r.figures.edgeJoulesPerDay.total),
              COLORS.edge,
              { pointRadius: 1 },
            ),
            bar(
              'raw',
              ts.map((r) => r.figures.rawJoulesPerDay.total),
              COLORS.raw,
              { pointRadius: 1 },
            ),
          ],
        },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'J / device-day' } } } },
      }),
    );
  }

  buildForm()
    .then(load)
    .catch((err) => clear(body, h('p', { class: 'error', role: 'alert' }, err.message)));
  return {
    dispose() {
      for (const c of charts) c?.destroy();
    },
  };
}

const box = () => h('div', { class: 'chart' });
/**
 * @param {HTMLElement} el
 * @param {string} caption
 */
const figure = (el, caption) => h('figure', {}, el, h('figcaption', {}, caption));
/**
 * @param {string} k
 * @param {string} v
 */
const stat = (k, v) => h('div', { class: 'stat' }, h('span', { class: 'v' }, v), h('span', { class: 'k' }, k));

/**
 * Linear from zero unless the groups differ by orders of magnitude (a CR2032 next to an AA pack).
 * @param {ReportGroup[]} groups
 * @returns {import('chart.js').ScaleOptions<'linear' | 'logarithmic'>}
 */
function batteryAxis(groups) {
  const days = groups.flatMap((g) => [g.figures.battery.edgeDays, g.figures.battery.rawDays]).filter((d) => d > 0);
  const log = days.length > 0 && Math.max(...days) / Math.min(...days) > 50;
  return log
    ? { type: 'logarithmic', title: { display: true, text: 'days (log scale)' } }
    : { beginAtZero: true, title: { display: true, text: 'days' } };
}
