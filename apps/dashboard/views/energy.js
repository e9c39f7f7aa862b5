// Energy: the comparison report's figures drawn as charts — edge inference vs streaming raw data,
// radio vs compute vs sensing vs sleep, battery life, and the fleet over time — with its filters.
import { api } from '../api.js';
import { chart, COLORS } from '../charts.js';
import { clear, field, fmtNum, h, panel, select } from '../dom.js';

const GROUP_BYS = [
  ['stream', 'Stream'],
  ['mcuProfile', 'MCU profile'],
  ['radioProfile', 'Radio profile'],
  ['modelVersion', 'Model version'],
  ['device', 'Device'],
];

export function mount(root) {
  const charts = [];
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
    onsubmit: (e) => {
      e.preventDefault();
      readForm();
      load();
    },
  });
  const headline = h('div', { class: 'stats' });
  const body = h('div');
  clear(root, h('h1', {}, 'Energy'), panel('Filters', form), headline, body);

  let controls = null;
  async function buildForm() {
    const summary = await api('/api/dashboard/summary');
    const opt = (dim, all) => [
      ['', all],
      ...Object.keys(summary.counts[dim])
        .filter((k) => k !== 'unknown')
        .sort()
        .map((k) => [k, k]),
    ];
    controls = {
      from: h('input', { type: 'datetime-local', name: 'from' }),
      to: h('input', { type: 'datetime-local', name: 'to' }),
      stream: select('stream', opt('stream', 'All streams'), ''),
      mcuProfile: select('mcuProfile', opt('mcuProfile', 'All MCUs'), ''),
      radioProfile: select('radioProfile', opt('radioProfile', 'All radios'), ''),
      modelVersion: select('modelVersion', opt('model', 'All models'), ''),
      groupBy: select('groupBy', GROUP_BYS, filters.groupBy),
    };
    clear(
      form,
      field('From (UTC)', controls.from),
      field('To (UTC)', controls.to),
      field('Stream', controls.stream),
      field('MCU profile', controls.mcuProfile),
      field('Radio profile', controls.radioProfile),
      field('Active model', controls.modelVersion),
      field('Compare by', controls.groupBy),
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
    );
  }

  function readForm() {
    for (const k of Object.keys(filters)) filters[k] = controls[k].value;
  }

  async function load() {
    const params = new URLSearchParams({ format: 'json' });
    for (const k of ['stream', 'mcuProfile', 'radioProfile', 'modelVersion']) if (filters[k]) params.set(k, filters[k]);
    for (const k of ['from', 'to']) if (filters[k]) params.set(k, new Date(`${filters[k]}:00Z`).toISOString());
    clear(body, h('p', { class: 'muted' }, 'Building the report…'));
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
    const by = GROUP_BYS.find(([k]) => k === filters.groupBy)[1].toLowerCase();
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
          datasets: ['radio', 'compute', 'sensing', 'sleep'].map((k) =>
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
const figure = (el, caption) => h('figure', {}, el, h('figcaption', {}, caption));
const stat = (k, v) => h('div', { class: 'stat' }, h('span', { class: 'v' }, v), h('span', { class: 'k' }, k));

/** Linear from zero unless the groups differ by orders of magnitude (a CR2032 next to an AA pack). */
function batteryAxis(groups) {
  const days = groups.flatMap((g) => [g.figures.battery.edgeDays, g.figures.battery.rawDays]).filter((d) => d > 0);
  const log = days.length > 0 && Math.max(...days) / Math.min(...days) > 50;
  return log
    ? { type: 'logarithmic', title: { display: true, text: 'days (log scale)' } }
    : { beginAtZero: true, title: { display: true, text: 'days' } };
}
