// @ts-check
// Device: identity, profile, battery, model slots, a live timeline of its last events, its energy
// split (the energy report filtered to this device) and its OTA history with every transition.
import { api } from '../api.js';
import { chart, COLORS } from '../charts.js';
import { badge, clear, fmtAgo, fmtBytes, fmtInt, fmtNum, fmtTime, h, panel, throttle } from '../dom.js';

/** @typedef {import('../api-types').DeviceDetail} DeviceDetail */
/** @typedef {import('../api-types').DeviceEvent} DeviceEvent */
/** @typedef {import('../api-types').OtaJob} OtaJob */
/** @typedef {import('../api-types').EnergyReport} EnergyReport */
/** @typedef {import('chart.js').Chart} Chart */

const EVENTS_SHOWN = 100;
const ROWS_SHOWN = 15;

/**
 * @param {HTMLElement} root
 * @param {string[]} params the device id
 * @returns {import('../app.js').View}
 */
export function mount(root, [id]) {
  /** @type {Array<Chart | null>} */
  const charts = [];
  /** @type {Map<string, Promise<string[] | null>>} */
  const labelsCache = new Map();
  /** @type {number | null} */
  let lastSeq = null;
  let loadedOnce = false;

  const head = h('div');
  const identity = h('div');
  const status = h('div');
  const timelineBox = h('div', { class: 'chart' });
  const eventsTable = h('div', { class: 'table-wrap' });
  const eventsNote = h('p', { class: 'muted', 'aria-live': 'polite' });
  const energyBox = h('div');
  const otaBox = h('div');
  clear(
    root,
    h('p', {}, h('a', { href: '#/fleet' }, '← Fleet')),
    head,
    h('div', { class: 'grid stack' }, panel('Identity and profile', identity), panel('Status and model slots', status)),
    panel(
      'Live events',
      eventsNote,
      h(
        'figure',
        {},
        timelineBox,
        h(
          'figcaption',
          {},
          'Score (int8, left axis) and latency (µs, right axis) of the last events, oldest to newest.',
        ),
      ),
      h('h3', {}, 'Latest events'),
      eventsTable,
    ),
    h('div', { class: 'grid stack' }, panel('Energy split', energyBox), panel('OTA history', otaBox)),
  );

  async function loadDevice() {
    /** @type {DeviceDetail} */
    const d = await api(`/api/devices/${id}`);
    clear(head, h('h1', {}, `Device ${d.id} `, badge(d.connectivity), ' ', badge(d.lifecycle)));
    clear(
      identity,
      h(
        'dl',
        { class: 'kv' },
        kv('Hardware id', h('span', { class: 'mono' }, d.hardwareId)),
        kv('Claim', d.claimId ?? '—'),
        kv('MCU profile', d.mcuProfile),
        kv('Radio profile', d.radioProfile),
        kv('Sensor stream', d.sensorStream),
        kv('Firmware', d.firmwareVersion),
        kv('Interpreter', d.interpreterVersion),
        kv('Op set', opSetSummary(d.capabilities)),
        kv('Tags', d.tags.length ? d.tags.join(', ') : '—'),
        kv('Events stored', fmtInt(d.eventsCount)),
        kv('Rejected messages', fmtInt(d.rejectedCount)),
        kv('Registered', fmtTime(d.createdAt)),
        kv('Last seen', `${fmtAgo(d.lastSeenAt)}`),
      ),
    );
    const s = d.lastStatus;
    if (!s) {
      clear(status, h('p', { class: 'muted' }, 'No status heartbeat yet.'));
      return;
    }
    const slots = (s.slots ?? []).map((slot, /** @type {number} */ i) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, `${i === s.activeSlot ? 'Active' : 'Standby'} (${i})`),
        h('td', {}, slot ? slot.modelId : 'empty'),
        h('td', {}, slot ? slot.modelVersion : '—'),
        h('td', { class: 'num' }, slot ? fmtBytes(slot.sizeBytes) : '—'),
        h('td', { class: 'mono', title: slot?.sha256 ?? '' }, slot ? `${slot.sha256.slice(0, 12)}…` : '—'),
      ),
    );
    clear(
      status,
      h(
        'dl',
        { class: 'kv' },
        kv('Battery', s.batteryPct !== undefined ? `${s.batteryPct} % (${fmtInt(s.batteryMv)} mV)` : '—'),
        kv('Uptime', s.uptimeS !== undefined ? `${fmtInt(s.uptimeS)} s` : '—'),
        kv('Buffered / dropped events', `${fmtInt(s.bufferedEvents)} / ${fmtInt(s.droppedEvents)}`),
        kv('Last heartbeat', fmtAgo(d.lastStatusAt)),
      ),
      h('h3', {}, 'Model slots'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'aria-label': 'Model slots' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Slot'),
              h('th', { scope: 'col' }, 'Model'),
              h('th', { scope: 'col' }, 'Version'),
              h('th', { scope: 'col', class: 'num' }, 'Size'),
              h('th', { scope: 'col' }, 'sha256'),
            ),
          ),
          h('tbody', {}, slots),
        ),
      ),
    );
  }

  /**
   * Class names come from the model's manifest labels, when the registry knows the model.
   * @param {string | null} modelId
   * @param {string | null} version
   * @returns {Promise<string[] | null>}
   */
  async function labelsOf(modelId, version) {
    if (!modelId || !version) return null;
    const key = `${modelId}@${version}`;
    if (!labelsCache.has(key))
      labelsCache.set(
        key,
        api(`/api/models/${modelId}/${encodeURIComponent(version)}`).then(
          (/** @type {import('../api-types').ModelVersion} */ m) => m.labels ?? null,
          () => null,
        ),
      );
    return labelsCache.get(key) ?? null;
  }

  async function loadEvents() {
    /** @type {DeviceEvent[]} */
    const events = await api(`/api/devices/${id}/events?limit=${EVENTS_SHOWN}`);
    const newest = events[0]?.seq ?? null;
    if (events.length === 0) eventsNote.textContent = 'No events yet: they appear here as the device reports.';
    else if (loadedOnce && newest !== lastSeq) {
      const added = events.filter((e) => lastSeq === null || e.seq > /** @type {number} */ (lastSeq)).length;
      eventsNote.textContent = `${added} new event(s) at ${new Date().toLocaleTimeString('en-GB')}; new ones appear live.`;
    } else if (!loadedOnce) eventsNote.textContent = `Latest ${events.length} event(s); new ones appear live.`;
    loadedOnce = true;
    lastSeq = newest ?? lastSeq;
    const names = await Promise.all(events.slice(0, ROWS_SHOWN).map((e) => labelsOf(e.modelId, e.modelVersion)));
    clear(
      eventsTable,
      h(
        'table',
        { 'aria-label': 'Latest events', 'data-testid': 'events-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Seq', 'Device time', 'Received', 'Model', 'Class', 'Score (q)', 'Latency', 'Energy'].map((t, i) =>
              h('th', { scope: 'col', class: i >= 5 ? 'num' : undefined }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          events
            .slice(0, ROWS_SHOWN)
            .map((e, i) =>
              h(
                'tr',
                {},
                h('td', { class: 'num' }, e.seq),
                h('td', {}, fmtTime(e.deviceTime)),
                h('td', {}, fmtTime(e.receivedAt)),
                h(
                  'td',
                  {},
                  e.modelId
                    ? `${e.modelId}@${e.modelVersion}`
                    : h('span', { class: 'muted', title: `model tag ${e.modelTag}` }, 'unknown'),
                ),
                h(
                  'td',
                  {},
                  names[i]?.[e.label] !== undefined ? `${names[i]?.[e.label]} (${e.label})` : `class ${e.label}`,
                ),
                h('td', { class: 'num' }, e.scoreQ),
                h('td', { class: 'num' }, `${fmtInt(e.latencyUs)} µs`),
                h('td', { class: 'num' }, `${fmtInt(e.energyUj)} µJ`),
              ),
            ),
        ),
      ),
    );
    drawTimeline([...events].reverse());
  }

  /** @type {Chart | null} */
  let timeline = null;
  /** @param {DeviceEvent[]} events oldest first */
  function drawTimeline(events) {
    const labels = events.map((e) => `#${e.seq}`);
    if (timeline) {
      timeline.data.labels = labels;
      timeline.data.datasets[0].data = events.map((e) => e.scoreQ);
      timeline.data.datasets[1].data = events.map((e) => e.latencyUs);
      timeline.update('none');
      return;
    }
    timeline = chart(timelineBox, `Timeline of ${events.length} events: score and latency`, {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'score (q)',
            data: events.map((e) => e.scoreQ),
            borderColor: COLORS.compute,
            backgroundColor: COLORS.compute,
            yAxisID: 'y',
            pointRadius: 2,
            stepped: false,
          },
          {
            label: 'latency (µs)',
            data: events.map((e) => e.latencyUs),
            borderColor: COLORS.sensing,
            backgroundColor: COLORS.sensing,
            yAxisID: 'y1',
            pointRadius: 2,
            borderDash: [4, 3],
          },
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          y: { title: { display: true, text: 'score (q)' }, suggestedMin: -128, suggestedMax: 127 },
          y1: {
            position: 'right',
            title: { display: true, text: 'latency (µs)' },
            grid: { drawOnChartArea: false },
            beginAtZero: true,
          },
        },
      },
    });
    charts.push(timeline);
  }

  async function loadEnergy() {
    /** @type {EnergyReport} */
    const report = await api(`/api/energy/report?deviceId=${id}`);
    const f = report.fleet.figures;
    if (!f.devices || !f.edgeJoulesPerDay.total) {
      clear(energyBox, h('p', { class: 'muted' }, 'No energy snapshots from this device yet.'));
      return;
    }
    const box = h('div', { class: 'chart small' });
    const e = f.edgeJoulesPerDay;
    // The API's verdict, not a rule of the dashboard's own: every device idle (no model ran, nothing streamed).
    const idle = f.verdict === 'no-inference';
    clear(
      energyBox,
      h(
        'figure',
        {},
        box,
        h(
          'figcaption',
          {},
          `Energy per day by part, edge inference (J/day, total ${fmtNum(e.total)}). Streaming raw data instead: ${fmtNum(f.rawJoulesPerDay.total)} J/day.`,
        ),
      ),
      h(
        'dl',
        { class: 'kv' },
        // A node that ran no inference (no model, or one that does not fit) and streamed nothing is not
        // "edge-better": its lower figure only says that it sends nothing at all.
        ...(idle
          ? [kv('Verdict', 'no inference ran: this node neither concludes nor streams, so edge vs raw does not apply')]
          : [
              kv('Verdict', f.verdict),
              kv('Saving vs raw', f.edgeSavingPct === null ? '—' : `${fmtNum(f.edgeSavingPct)} %`),
            ]),
        kv(
          'Battery (edge / raw)',
          `${fmtNum(f.battery.edgeDays)} / ${fmtNum(f.battery.rawDays)} days${f.battery.limitedByShelfLife ? ' (capped at the cell’s shelf life)' : ''}`,
        ),
        kv('Energy per inference', `${fmtNum(f.energyPerInferenceUj)} µJ`),
      ),
    );
    charts.push(
      chart(
        box,
        `Energy split: radio ${fmtNum(e.radio)}, compute ${fmtNum(e.compute)}, sensing ${fmtNum(e.sensing)}, sleep ${fmtNum(e.sleep)} J/day`,
        {
          type: 'doughnut',
          data: {
            labels: ['radio', 'compute', 'sensing', 'sleep'],
            datasets: [
              {
                data: [e.radio, e.compute, e.sensing, e.sleep],
                backgroundColor: [COLORS.radio, COLORS.compute, COLORS.sensing, COLORS.sleep],
              },
            ],
          },
          options: { plugins: { legend: { position: 'right' } } },
        },
      ),
    );
  }

  async function loadOta() {
    /** @type {OtaJob[]} */
    const jobs = await api(`/api/ota-jobs?deviceId=${id}`);
    if (jobs.length === 0) {
      clear(otaBox, h('p', { class: 'muted' }, 'No OTA job for this device.'));
      return;
    }
    clear(
      otaBox,
      jobs.map((j) =>
        h(
          'div',
          { class: 'rollout' },
          h(
            'header',
            {},
            h('strong', {}, `Job ${j.id}`),
            ' ',
            h('a', { href: '#/rollouts' }, `rollout #${j.rolloutId}`),
            ' ',
            badge(j.state),
            j.reason ? h('span', { class: 'muted' }, j.reason) : null,
          ),
          h(
            'p',
            { class: 'muted' },
            `${j.form ?? 'form not chosen'} · attempt ${j.attempts} · chunks ${j.chunksReceived ?? 0}/${j.chunksTotal ?? '?'}`,
          ),
          h(
            'ol',
            { class: 'timeline', 'aria-label': `Transitions of job ${j.id}` },
            j.events.map((e) =>
              h(
                'li',
                {},
                h('time', { datetime: e.at }, fmtTime(e.at)),
                ' ',
                `${e.fromState} → `,
                badge(e.toState),
                ` by ${e.source}`,
                e.reason ? ` (${e.reason})` : '',
              ),
            ),
          ),
        ),
      ),
    );
  }

  /** @param {HTMLElement} box */
  const fail = (box) => (/** @type {Error} */ err) => clear(box, h('p', { class: 'error' }, err.message));
  const refreshEvents = throttle(() => loadEvents().catch(fail(eventsTable)), 1000);
  const refreshDevice = throttle(() => loadDevice().catch(fail(identity)), 2000);
  const refreshOta = throttle(() => Promise.all([loadOta(), loadDevice()]).catch(fail(otaBox)), 1000);
  loadDevice().catch((/** @type {import('../api.js').ApiError} */ err) =>
    clear(
      head,
      h('h1', {}, `Device ${id}`),
      h('p', { class: 'error', role: 'alert' }, err.status === 404 ? 'No such device.' : err.message),
    ),
  );
  loadEvents().catch(fail(eventsTable));
  loadEnergy().catch(fail(energyBox));
  loadOta().catch(fail(otaBox));

  return {
    onLive(msg) {
      if (msg.type === 'events' && (msg.truncated || msg.devices.includes(id))) {
        refreshEvents();
        refreshDevice();
      } else if (msg.type === 'device' && msg.deviceId === id) refreshDevice();
      else if (msg.type === 'ota' && (msg.deviceIds.length >= 500 || msg.deviceIds.includes(id))) refreshOta(); // 500: the stream's cap per message
    },
    dispose() {
      for (const t of [refreshEvents, refreshDevice, refreshOta]) t.cancel();
      for (const c of charts) c?.destroy();
    },
  };
}

/**
 * The kernels the firmware registered, as rollout admission checks them; the full list folds open.
 * @param {import('../api-types').DeviceCapabilities | null} c
 */
function opSetSummary(c) {
  if (!c) return h('span', { class: 'muted' }, 'not reported (admitted on the platform’s op list)');
  const ops = c.ops.map((o) => (o.types ? `${o.op} (${o.types.join(', ') || 'no known type'})` : `${o.op} (any type)`));
  if (c.unknownOpCodes.length) ops.push(`codes newer than this platform: ${c.unknownOpCodes.join(', ')}`);
  return h(
    'details',
    {},
    h(
      'summary',
      {},
      h('span', { class: 'mono' }, c.opSetId),
      ` · ${fmtInt(c.ops.length)} ops · reported ${fmtAgo(c.reportedAt)}`,
    ),
    h(
      'ul',
      { 'aria-label': 'Registered ops' },
      ops.map((o) => h('li', { class: 'mono' }, o)),
    ),
  );
}

/**
 * @param {string} k
 * @param {import('../dom.js').Child} v
 */
function kv(k, v) {
  return [h('dt', {}, k), h('dd', {}, v)];
}
