// @ts-check
// Evidence (docs/protocol.md §12): the raw windows devices sent on request, each shown as what the
// model saw — the frame of an image model, or a plot of a sensor window — next to what the model
// concluded, with a form to label it with one of the model's classes (the labels a retrain reads:
// `tinyfleet evidence export DIR`, then `tinyfleet model build … --add-evidence DIR`).
import { api, apiDataUrl } from '../api.js';
import { chart, COLORS } from '../charts.js';
import { clear, fmtBytes, fmtTime, h, panel } from '../dom.js';

/** @typedef {import('../api-types').EvidenceWindow} EvidenceWindow */
/** @typedef {import('../api-types').EvidenceWindowDetail} EvidenceWindowDetail */
/** @typedef {import('../api-types').EvidenceRequest} EvidenceRequest */

/** @param {HTMLElement} root */
export function mount(root) {
  const requests = h('div');
  const list = h('div');
  const detail = h('div', { 'aria-live': 'polite' });
  /** @type {{ destroy(): void } | null} */
  let plot = null;
  clear(root, h('h1', {}, 'Evidence'), requests, list, detail);

  const dropShown = () => {
    plot?.destroy();
    plot = null;
  };

  async function loadRequests() {
    /** @type {EvidenceRequest[]} */
    const rows = await api('/api/evidence/requests');
    clear(
      requests,
      panel(
        'Requests',
        rows.length === 0
          ? h(
              'p',
              { class: 'muted' },
              'No evidence requested yet: `npx tinyfleet evidence request --model NAME@VERSION` asks a cohort (or POST /api/evidence/requests).',
            )
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { 'aria-label': 'Evidence requests' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['Request', 'Model', 'Selector', 'Devices', 'Done', 'Declined', 'Windows', 'Bytes', 'Created'].map(
                      (t, i) => h('th', { scope: 'col', class: i >= 3 && i <= 7 ? 'num' : undefined }, t),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  rows.map((r) =>
                    h(
                      'tr',
                      {},
                      h('th', { scope: 'row' }, String(r.id)),
                      h('td', {}, r.model ?? `tag ${r.modelTag}`),
                      h('td', {}, r.selector),
                      h('td', { class: 'num' }, String(r.devices.length)),
                      h('td', { class: 'num' }, String(r.devices.filter((d) => d.state === 'done').length)),
                      h(
                        'td',
                        { class: 'num', title: declineReasons(r) },
                        String(r.devices.filter((d) => d.state === 'declined').length),
                      ),
                      h('td', { class: 'num' }, String(r.devices.reduce((n, d) => n + d.windowsStored, 0))),
                      h('td', { class: 'num' }, fmtBytes(r.devices.reduce((n, d) => n + d.receivedBytes, 0))),
                      h('td', {}, fmtTime(r.createdAt)),
                    ),
                  ),
                ),
              ),
            ),
      ),
    );
  }

  async function loadWindows() {
    /** @type {EvidenceWindow[]} */
    const rows = await api('/api/evidence/windows?limit=200');
    clear(
      list,
      panel(
        'Windows',
        rows.length === 0
          ? h('p', { class: 'muted' }, 'No evidence window has arrived yet.')
          : h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { 'aria-label': 'Evidence windows' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['Window', 'Device', 'Model', 'Device time', 'Predicted', 'Score q', 'Margin q', 'Label', ''].map(
                      (t, i) => h('th', { scope: 'col', class: i === 5 || i === 6 ? 'num' : undefined }, t),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  rows.map((w) =>
                    h(
                      'tr',
                      {},
                      h('th', { scope: 'row' }, String(w.id)),
                      h('td', {}, h('a', { href: `#/device/${w.deviceId}` }, w.deviceId)),
                      h('td', {}, w.model ?? `tag ${w.modelTag}`),
                      h('td', {}, fmtTime(w.deviceTime)),
                      h('td', {}, w.predictedLabel ?? String(w.predicted)),
                      h('td', { class: 'num' }, String(w.scoreQ)),
                      h('td', { class: 'num' }, String(w.marginQ)),
                      h('td', {}, w.operatorLabel ?? h('span', { class: 'muted' }, 'unlabelled')),
                      h('td', {}, h('button', { type: 'button', onclick: () => show(w.id) }, `Show ${w.id}`)),
                    ),
                  ),
                ),
              ),
            ),
      ),
    );
  }

  /** @param {number} id */
  async function show(id) {
    /** @type {EvidenceWindowDetail} */
    const w = await api(`/api/evidence/windows/${id}`);
    dropShown();
    const view = h('div');
    const status = h('p', { role: 'status' });
    clear(
      detail,
      panel(
        `Window ${w.id}`,
        h(
          'p',
          {},
          `${w.deviceId} · ${w.model ?? `model tag ${w.modelTag}`} · ${fmtTime(w.deviceTime)} · predicted ${w.predictedLabel ?? w.predicted} (score ${w.scoreQ}, margin ${w.marginQ}) · ${w.samples} × ${w.valuesPerSample} ${w.format} · ${fmtBytes(w.blobBytes)} signed blob · kept until ${fmtTime(w.expiresAt)}`,
        ),
        view,
        labelForm(w, status),
        status,
      ),
    );
    if (w.imageWidth > 0) {
      const src = await apiDataUrl(`/api/evidence/windows/${w.id}/image.png`);
      const height = w.valuesPerSample / w.imageWidth;
      clear(
        view,
        h('img', {
          src,
          width: String(w.imageWidth * 3),
          height: String(height * 3),
          style: { imageRendering: 'pixelated' },
          alt: `Frame ${w.id} from ${w.deviceId}: ${w.imageWidth} × ${height} grey pixels, predicted ${w.predictedLabel ?? w.predicted}`,
        }),
      );
    } else if (w.values) {
      view.className = 'chart';
      plot = plotWindow(view, w);
    }
  }

  /**
   * @param {EvidenceWindowDetail} w
   * @param {HTMLElement} status
   */
  function labelForm(w, status) {
    const control = w.labels
      ? h(
          'select',
          { name: 'label', id: `label-${w.id}` },
          h('option', { value: '' }, '— no label —'),
          w.labels.map((l) => h('option', { value: l, selected: l === w.operatorLabel }, l)),
        )
      : h('input', { name: 'label', id: `label-${w.id}`, value: w.operatorLabel ?? '', maxlength: '64' });
    return h(
      'form',
      {
        class: 'field',
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const value = /** @type {HTMLSelectElement | HTMLInputElement} */ (control).value;
          try {
            /** @type {EvidenceWindowDetail} */
            const saved = await api(`/api/evidence/windows/${w.id}/label`, {
              method: 'PUT',
              body: { label: value === '' ? null : value },
            });
            status.textContent = `Window ${saved.id}: ${saved.operatorLabel ?? 'label cleared'}`;
            await loadWindows();
          } catch (err) {
            status.textContent = `Not saved: ${/** @type {Error} */ (err).message}`;
          }
        },
      },
      h('label', { for: `label-${w.id}` }, 'Label'),
      control,
      h('button', { type: 'submit', class: 'primary' }, 'Save label'),
    );
  }

  (async () => {
    try {
      await Promise.all([loadRequests(), loadWindows()]);
    } catch (err) {
      clear(
        list,
        h('p', { class: 'error', role: 'alert' }, `Could not load evidence: ${/** @type {Error} */ (err).message}`),
      );
    }
  })();

  return { dispose: dropShown };
}

/** @param {EvidenceRequest} r */
function declineReasons(r) {
  const reasons = r.devices.filter((d) => d.state === 'declined').map((d) => `${d.deviceId}: ${d.reason}`);
  return reasons.join('\n') || 'none declined';
}

/**
 * A sensor window: one sample = a bar per value (e.g. 128 gas features); several = a line per channel.
 * @param {HTMLElement} box
 * @param {EvidenceWindowDetail} w
 */
function plotWindow(box, w) {
  const values = /** @type {number[]} */ (w.values);
  const names = w.channels ?? Array.from({ length: w.valuesPerSample }, (_, i) => `v${i}`);
  /** @type {import('chart.js').ChartConfiguration} */
  const config =
    w.samples === 1
      ? {
          type: 'bar',
          data: { labels: names, datasets: [{ label: 'value', data: values, backgroundColor: COLORS.accent }] },
          options: { plugins: { legend: { display: false } }, scales: { x: { ticks: { autoSkip: true } } } },
        }
      : {
          type: 'line',
          data: {
            labels: Array.from({ length: w.samples }, (_, i) => String(i)),
            datasets: names.map((name, c) => ({
              label: name,
              data: Array.from({ length: w.samples }, (_, s) => values[s * w.valuesPerSample + c] ?? null),
              pointRadius: 0,
            })),
          },
          options: { scales: { x: { title: { display: true, text: 'sample (oldest first)' } } } },
        };
  return chart(
    box,
    `Window ${w.id}: ${w.samples} × ${w.valuesPerSample} values${w.channels ? ` (${w.channels.slice(0, 4).join(', ')}…)` : ''}`,
    config,
  );
}
