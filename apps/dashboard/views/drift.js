// @ts-check
// Drift: per cohort (model version × stream × MCU × radio), the label-free drift verdicts the
// platform computed from the devices' up/summary windows — a chart of the class-mix PSI and the
// score-histogram JS divergence over time with their thresholds, and the latest verdict with its reasons.
import { api } from '../api.js';
import { chart, COLORS } from '../charts.js';
import { badge, clear, fmtInt, fmtNum, fmtTime, h, panel } from '../dom.js';

/** @typedef {import('../api-types').DriftOverview} DriftOverview */
/** @typedef {import('../api-types').CohortDrift} CohortDrift */

/** @param {HTMLElement} root */
export function mount(root) {
  const body = h('div');
  clear(root, h('h1', {}, 'Drift'), body);
  /** @type {Array<{ destroy(): void } | null>} */
  const charts = [];

  const load = async () => {
    /** @type {DriftOverview} */
    const r = await api('/api/drift');
    for (const c of charts.splice(0)) c?.destroy();
    if (r.cohorts.length === 0) {
      clear(
        body,
        panel(
          'Cohorts',
          h(
            'p',
            { class: 'muted' },
            'No drift verdict yet: devices send up/summary with their status, and the platform judges each cohort every step once a window has enough inferences.',
          ),
        ),
      );
      return;
    }
    const t = r.method.thresholds;
    clear(
      body,
      h(
        'p',
        { class: 'muted' },
        `Windows of ${r.method.windowHours} h every ${r.method.stepMinutes} min, no ground truth. ${r.method.measures}. ` +
          `Drift when PSI > ${t.classMixPsi}, JS > ${t.scoreJsBits} bit, or an input moves > ${t.inputShiftSd} SD (p < ${t.inputShiftP}); at least ${t.minInferences} inferences.`,
      ),
      ...r.cohorts.map((c) => cohortPanel(c, t, charts)),
    );
  };
  load().catch((err) => clear(body, h('p', { class: 'error', role: 'alert' }, String(err.message ?? err))));
  const timer = setInterval(() => load().catch(() => undefined), 30_000);
  return {
    dispose() {
      clearInterval(timer);
      for (const c of charts) c?.destroy();
    },
  };
}

/**
 * @param {CohortDrift} c
 * @param {DriftOverview['method']['thresholds']} t
 * @param {Array<{ destroy(): void } | null>} charts
 */
function cohortPanel(c, t, charts) {
  const box = h('div', { class: 'chart' });
  const l = c.latest;
  const title = `${c.modelId}@${c.modelVersion} · ${c.stream} · ${c.mcu} · ${c.radio}`;
  const p = panel(
    title,
    h(
      'p',
      {},
      badge(l.verdict),
      ` at ${fmtTime(l.windowEnd)}: PSI ${fmtNum(l.classMixPsi)}, JS ${fmtNum(l.scoreJsBits)} bit, largest input shift ${fmtNum(l.maxInputShiftSd)} SD, `,
      `close calls ${l.lowMarginRate === null ? '—' : `${fmtNum(l.lowMarginRate * 100)} %`}; ${fmtInt(l.inferences)} inferences from ${fmtInt(l.devices)} devices.`,
    ),
    l.reasons.length
      ? h(
          'ul',
          { class: 'error' },
          l.reasons.map((why) => h('li', {}, why)),
        )
      : null,
    h('p', { class: 'muted' }, `Reference: ${c.referenceSource}`),
    box,
  );
  const labels = c.series.map((s) => fmtTime(s.windowEnd));
  const flat = (/** @type {number} */ y) => c.series.map(() => y);
  // The chart is drawn once the panel is on the page (chart() draws nothing into a detached box).
  queueMicrotask(() =>
    charts.push(
      chart(box, `Drift of ${title} over time: class-mix PSI and score JS divergence against their thresholds`, {
        type: 'line',
        data: {
          labels,
          datasets: [
            {
              label: 'class-mix PSI',
              data: c.series.map((s) => s.classMixPsi),
              borderColor: COLORS.radio,
              yAxisID: 'y',
            },
            {
              label: `PSI threshold ${t.classMixPsi}`,
              data: flat(t.classMixPsi),
              borderColor: COLORS.radio,
              borderDash: [4, 4],
              pointRadius: 0,
              yAxisID: 'y',
            },
            {
              label: 'score JS (bit)',
              data: c.series.map((s) => s.scoreJsBits),
              borderColor: COLORS.compute,
              yAxisID: 'y',
            },
            {
              label: `JS threshold ${t.scoreJsBits}`,
              data: flat(t.scoreJsBits),
              borderColor: COLORS.compute,
              borderDash: [4, 4],
              pointRadius: 0,
              yAxisID: 'y',
            },
          ],
        },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'divergence' } } } },
      }),
    ),
  );
  return p;
}
