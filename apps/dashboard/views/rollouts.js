// @ts-check
// Rollouts: create one (validated here, then by the API), follow each group's jobs live, read the
// health gates against their thresholds, and pause / resume / abort / roll back with confirmation.
import { api } from '../api.js';
import { badge, clear, field, fmtNum, fmtTime, h, panel, select, throttle } from '../dom.js';

/** @typedef {import('../api-types').Rollout} Rollout */
/** @typedef {import('../api-types').RolloutAction} RolloutAction */
/** @typedef {import('../api-types').RolloutGroup} RolloutGroup */
/** @typedef {import('../api-types').GateReadings} GateReadings */
/** @typedef {import('../api-types').GateSide} GateSide */
/** @typedef {import('../api-types').GateVerdict} GateVerdict */
/** @typedef {import('../api-types').Gates} Gates */
/** @typedef {import('../api-types').FleetSummary} FleetSummary */
/** @typedef {import('../dom.js').Child} Child */

/** Colour of each final job state in a group's progress bar. */
const JOB_COLORS = {
  SUCCEEDED: '#2e7d32',
  FAILED: '#c62828',
  REJECTED: '#ad1457',
  TIMED_OUT: '#6d4c41',
  CANCELED: '#9e9e9e',
  ROLLED_BACK: '#ef6c00',
  QUEUED: '#cfd8dc',
};
// Which of these a rollout allows, which jobs are in flight and each gate's verdict come from the
// API (allowedActions, jobsInFlight, gateVerdicts): the dashboard only words and draws them.
/** @type {Record<RolloutAction, { label: string, text: string, danger?: boolean }>} */
const ACTIONS = {
  pause: {
    label: 'Pause',
    text: 'Pause this rollout? Devices already updating finish; no new device is notified.',
  },
  resume: { label: 'Resume', text: 'Resume this rollout from the current group?' },
  abort: {
    label: 'Abort',
    text: 'Abort this rollout? Open jobs are cancelled; updated devices keep the new model.',
    danger: true,
  },
  rollback: {
    label: 'Roll back',
    text: 'Roll back every updated device to the model it ran before? This starts a rollback rollout.',
    danger: true,
  },
};

/**
 * @param {HTMLElement} root
 * @returns {import('../app.js').View}
 */
export function mount(root) {
  const list = h('div');
  const formBox = h('div');
  clear(root, h('h1', {}, 'Rollouts'), panel('New rollout', formBox), panel('Rollouts', list));

  async function buildForm() {
    /** @type {[import('../api-types').ModelVersion[], FleetSummary]} */
    const [models, summary] = await Promise.all([api('/api/models'), api('/api/dashboard/summary')]);
    const errors = h('div', { class: 'errors', role: 'alert', 'data-testid': 'rollout-errors' });
    const done = h('div', { class: 'notice', role: 'status' });
    /** @param {keyof FleetSummary['counts']} dim */
    const opt = (dim) => [
      ['', 'any'],
      ...Object.keys(summary.counts[dim])
        .sort()
        .map((k) => [k, k]),
    ];
    const f = {
      name: h('input', { name: 'name', required: true, maxlength: 200, placeholder: 'e.g. soil v2 to the fleet' }),
      model: select(
        'model',
        [['', 'choose a model…'], ...models.map((m) => [`${m.name}@${m.version}`, `${m.name} ${m.version}`])],
        '',
      ),
      stream: select('stream', opt('stream'), ''),
      mcuProfile: select('mcuProfile', opt('mcuProfile'), ''),
      radioProfile: select('radioProfile', opt('radioProfile'), ''),
      tags: h('input', { name: 'tags', placeholder: 'tag-a, tag-b' }),
      currentModelId: h('input', { name: 'currentModelId', placeholder: 'model id the devices run now' }),
      deviceIds: h('input', { name: 'deviceIds', placeholder: 'device ids, comma separated' }),
      groups: h('input', { name: 'groups', required: true, value: '1, 50%, 100%' }),
      successThresholdPct: h('input', { name: 'successThresholdPct', type: 'number', min: 1, max: 100, value: 100 }),
      errorThresholdPct: h('input', { name: 'errorThresholdPct', type: 'number', min: 1, max: 100, value: 20 }),
      perMinute: h('input', { name: 'perMinute', type: 'number', min: 1, placeholder: 'unlimited' }),
      jobTimeoutS: h('input', { name: 'jobTimeoutS', type: 'number', min: 1, value: 600 }),
      maxAttempts: h('input', { name: 'maxAttempts', type: 'number', min: 1, max: 10, value: 3 }),
      minDevicesPerSide: h('input', { name: 'minDevicesPerSide', type: 'number', min: 1, value: 3 }),
      soakS: h('input', { name: 'soakS', type: 'number', min: 0, placeholder: 'none' }),
      maxEventRateChange: h('input', {
        name: 'maxEventRateChange',
        type: 'number',
        min: 0,
        step: 0.05,
        placeholder: 'e.g. 0.5',
      }),
      maxScoreShiftQ: h('input', { name: 'maxScoreShiftQ', type: 'number', min: 0, placeholder: 'e.g. 20' }),
      maxEnergyPerInferenceRatio: h('input', {
        name: 'maxEnergyPerInferenceRatio',
        type: 'number',
        min: 1,
        step: 0.1,
        placeholder: 'e.g. 1.5',
      }),
      maxAccuracyDropPct: h('input', {
        name: 'maxAccuracyDropPct',
        type: 'number',
        min: 0,
        max: 100,
        step: 0.5,
        placeholder: 'e.g. 5',
      }),
      autoRollback: h('input', { name: 'autoRollback', type: 'checkbox' }),
      errorAction: select(
        'errorAction',
        [
          ['pause', 'pause'],
          ['abort', 'abort'],
        ],
        'pause',
      ),
    };
    const form = h(
      'form',
      { novalidate: true, 'aria-describedby': 'rollout-help', onsubmit: submit },
      h(
        'p',
        { id: 'rollout-help', class: 'muted' },
        'Groups run one after the other: a number of devices or a percentage of the target each; the last group takes the rest. Devices that cannot take the model are skipped with the reason.',
      ),
      errors,
      done,
      h(
        'div',
        { class: 'form-grid' },
        field('Name', f.name),
        field('Model', f.model),
        field('Groups', f.groups, 'e.g. "1, 50%, 100%"'),
        field('On too many errors', f.errorAction),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Target'),
        h(
          'div',
          { class: 'form-grid' },
          field('Stream', f.stream),
          field('MCU profile', f.mcuProfile),
          field('Radio profile', f.radioProfile),
          field('Tags (all of)', f.tags),
          field('Current model id', f.currentModelId),
          field('Device ids', f.deviceIds),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Thresholds and pacing'),
        h(
          'div',
          { class: 'form-grid' },
          field('Success threshold (%)', f.successThresholdPct, 'a group finishes at this share succeeded'),
          field('Error threshold (%)', f.errorThresholdPct, 'the rollout stops at this share failed'),
          field('Devices notified per minute', f.perMinute),
          field('Job timeout (s)', f.jobTimeoutS),
          field('Attempts per device', f.maxAttempts),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Health gates (updated vs devices still on the old model)'),
        h(
          'div',
          { class: 'form-grid' },
          field('Min devices per side', f.minDevicesPerSide),
          field('Soak time (s)', f.soakS),
          field('Max event-rate change (ratio)', f.maxEventRateChange),
          field('Max score shift (q)', f.maxScoreShiftQ),
          field('Max energy/inference ratio', f.maxEnergyPerInferenceRatio),
          field(
            'Max accuracy drop (pts)',
            f.maxAccuracyDropPct,
            "on-device accuracy from the devices' ground-truth logs",
          ),
          h(
            'div',
            { class: 'field check' },
            f.autoRollback,
            h('label', { for: (f.autoRollback.id ||= 'f-autorollback') }, 'Roll back automatically on a breach'),
          ),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create and start rollout')),
    );
    clear(formBox, form);

    /** @param {Event} e */
    async function submit(e) {
      e.preventDefault();
      clear(errors);
      clear(done);
      for (const el of Object.values(f)) el.removeAttribute('aria-invalid');
      /** @type {string[]} */
      const problems = [];
      /**
       * @param {HTMLElement} el
       * @param {string} msg
       */
      const bad = (el, msg) => {
        el.setAttribute('aria-invalid', 'true');
        problems.push(msg);
      };
      /** @param {HTMLInputElement} el */
      const num = (el) => (el.value === '' ? undefined : Number(el.value));
      /** @param {HTMLInputElement} el */
      const list = (el) =>
        el.value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      if (!f.name.value.trim()) bad(f.name, 'Give the rollout a name.');
      if (!f.model.value) bad(f.model, 'Choose the model to roll out.');
      const groups = [];
      for (const g of list(f.groups)) {
        const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(g);
        if (!m) {
          bad(f.groups, `Group "${g}" is neither a count nor a percentage.`);
          continue;
        }
        const spec = m[2] ? { percent: Number(m[1]) } : { count: Number(m[1]) };
        if ((spec.percent ?? 0) > 100 || (spec.count !== undefined && !Number.isInteger(spec.count)))
          bad(f.groups, `Group "${g}" is out of range.`);
        groups.push({
          ...spec,
          successThresholdPct: num(f.successThresholdPct),
          errorThresholdPct: num(f.errorThresholdPct),
        });
      }
      if (groups.length === 0) bad(f.groups, 'Give at least one group.');
      for (const k of /** @type {const} */ (['successThresholdPct', 'errorThresholdPct'])) {
        const v = num(f[k]);
        if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 100))
          bad(f[k], 'Thresholds are whole percentages from 1 to 100.');
      }
      const id = /^[a-z0-9][a-z0-9-]{0,63}$/;
      for (const t of list(f.tags))
        if (!id.test(t)) bad(f.tags, `Tag "${t}" is not a valid id (lowercase letters, digits, dashes).`);
      for (const t of list(f.deviceIds)) if (!id.test(t)) bad(f.deviceIds, `Device id "${t}" is not valid.`);
      if (f.currentModelId.value && !id.test(f.currentModelId.value))
        bad(f.currentModelId, 'The current model id is not valid.');
      if (problems.length) {
        clear(
          errors,
          h('p', {}, 'Please fix:'),
          h(
            'ul',
            {},
            problems.map((p) => h('li', {}, p)),
          ),
        );
        /** @type {HTMLElement | null} */ (form.querySelector('[aria-invalid="true"]'))?.focus();
        return;
      }
      const [name, version] = f.model.value.split('@');
      const target = {
        stream: f.stream.value || undefined,
        mcuProfile: f.mcuProfile.value || undefined,
        radioProfile: f.radioProfile.value || undefined,
        tags: list(f.tags).length ? list(f.tags) : undefined,
        currentModelId: f.currentModelId.value || undefined,
        deviceIds: list(f.deviceIds).length ? list(f.deviceIds) : undefined,
      };
      const gates = {
        minDevicesPerSide: num(f.minDevicesPerSide),
        soakS: num(f.soakS),
        maxEventRateChange: num(f.maxEventRateChange),
        maxScoreShiftQ: num(f.maxScoreShiftQ),
        maxEnergyPerInferenceRatio: num(f.maxEnergyPerInferenceRatio),
        maxAccuracyDropPct: num(f.maxAccuracyDropPct),
        autoRollback: f.autoRollback.checked,
      };
      /** @type {Record<string, unknown>} */
      const body = {
        name: f.name.value.trim(),
        model: { name, version },
        target,
        groups,
        jobTimeoutS: num(f.jobTimeoutS),
        maxAttempts: num(f.maxAttempts),
        gates,
        errorAction: f.errorAction.value,
      };
      if (num(f.perMinute)) body.rate = { type: 'constant', perMinute: num(f.perMinute) };
      try {
        /** @type {Rollout} */
        const created = await api('/api/rollouts', { method: 'POST', body });
        const skipped = created.skipped.length
          ? ` ${created.skipped.length} device(s) skipped: ${created.skipped
              .slice(0, 3)
              .map((s) => `${s.deviceId} (${s.reason})`)
              .join('; ')}${created.skipped.length > 3 ? '…' : ''}`
          : '';
        clear(
          done,
          `Rollout #${created.id} created with ${created.groups.reduce((a, g) => a + Object.values(g.jobs).reduce((x, y) => x + y, 0), 0)} device(s).${skipped}`,
        );
        loadList();
      } catch (err) {
        clear(errors, h('p', {}, `The platform refused the rollout: ${/** @type {Error} */ (err).message}`));
      }
    }
  }

  async function loadList() {
    /** @type {Rollout[]} */
    const rollouts = await api('/api/rollouts');
    if (rollouts.length === 0) {
      clear(list, h('p', { class: 'muted' }, 'No rollout yet.'));
      return;
    }
    // Re-rendering replaces the buttons: put keyboard focus back on the same one.
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const focused = active?.dataset?.action
      ? `[data-rollout="${/** @type {HTMLElement | null} */ (active.closest('[data-rollout]'))?.dataset.rollout}"] [data-action="${active.dataset.action}"]`
      : null;
    const openDetails = new Set(
      [...list.querySelectorAll('details[open]')].map(
        (d) => /** @type {HTMLElement} */ (d.closest('[data-rollout]')).dataset.rollout,
      ),
    );
    clear(
      list,
      [...rollouts].sort((a, b) => b.id - a.id).map((r) => rolloutCard(r, r.gates)),
    );
    for (const id of openDetails) list.querySelector(`[data-rollout="${id}"] details`)?.setAttribute('open', '');
    if (focused) /** @type {HTMLElement | null} */ (list.querySelector(focused))?.focus();
  }

  /**
   * @param {Rollout} r
   * @param {Gates} gates
   */
  function rolloutCard(r, gates) {
    return h(
      'article',
      { class: 'rollout', 'data-rollout': r.id, 'aria-labelledby': `r-${r.id}` },
      h(
        'header',
        {},
        h('h3', { id: `r-${r.id}` }, `#${r.id} ${r.name}`),
        badge(r.state),
        h('span', { class: 'muted' }, `${r.model.name} ${r.model.version}`),
        r.rollbackOf ? h('span', { class: 'muted' }, `rolls back #${r.rollbackOf}`) : null,
        h('span', { class: 'muted' }, fmtTime(r.createdAt)),
      ),
      r.stateReason ? h('p', { class: 'muted' }, r.stateReason) : null,
      r.groups.map((g) => groupView(g, gates)),
      r.skipped.length
        ? h(
            'details',
            {},
            h('summary', {}, `${r.skipped.length} device(s) skipped`),
            h(
              'ul',
              {},
              r.skipped.map((s) =>
                h('li', {}, h('a', { href: `#/device/${s.deviceId}` }, s.deviceId), `: ${s.reason}`),
              ),
            ),
          )
        : null,
      h(
        'div',
        { class: 'actions' },
        /** @type {Array<[RolloutAction, (typeof ACTIONS)[RolloutAction]]>} */ (Object.entries(ACTIONS)).map(
          ([action, a]) =>
            h(
              'button',
              {
                type: 'button',
                class: a.danger ? 'danger' : undefined,
                disabled: !r.allowedActions.includes(action),
                'data-action': action,
                onclick: () =>
                  confirmThen(`${a.label} rollout #${r.id}`, a.text, async () => {
                    await api(`/api/rollouts/${r.id}/${action}`, { method: 'POST', body: {} });
                    await loadList();
                  }),
              },
              a.label,
            ),
        ),
      ),
    );
  }

  /**
   * @param {RolloutGroup} g
   * @param {Gates} gates
   */
  function groupView(g, gates) {
    const total = g.jobsTotal;
    /** @type {Array<[string, number, string]>} state, jobs, colour */
    const parts = /** @type {Array<[string, number, string]>} */ ([
      ...Object.entries(JOB_COLORS).map(([s, c]) => [s, g.jobs[s] ?? 0, c]),
      ['in flight', g.jobsInFlight, '#1565c0'],
    ]).filter(([, n]) => n > 0);
    const done = g.jobs.SUCCEEDED ?? 0;
    return h(
      'div',
      { class: 'group', 'data-group': g.index },
      h(
        'p',
        {},
        h('strong', {}, `Group ${g.index + 1} `),
        badge(g.state),
        ` ${done}/${total} succeeded · success ≥ ${g.successThresholdPct} % · stop at ≥ ${g.errorThresholdPct} % errors`,
      ),
      h(
        'div',
        {
          class: 'progress',
          role: 'progressbar',
          'aria-label': `Group ${g.index + 1} progress`,
          'aria-valuemin': 0,
          'aria-valuemax': total,
          'aria-valuenow': done,
          'aria-valuetext': parts.map(([s, n]) => `${n} ${s}`).join(', '),
        },
        parts.map(([s, n, c]) =>
          h('span', { style: { width: `${(100 * n) / Math.max(1, total)}%`, background: c }, title: `${s}: ${n}` }),
        ),
      ),
      h(
        'p',
        { class: 'legend' },
        parts.map(([s, n, c]) => h('span', {}, h('i', { style: { background: c } }), `${s} ${n}`)),
      ),
      g.gateReadings ? gateTable(g.gateReadings, g.gateVerdicts ?? [], gates) : gateLimits(g, gates),
    );
  }

  /**
   * Before the first reading: say which gates will judge this group, and when.
   * @param {RolloutGroup} g
   * @param {Gates} gates
   */
  function gateLimits(g, gates) {
    const limits = [
      gates.maxEventRateChange !== undefined ? `event rate ±${fmtNum(gates.maxEventRateChange * 100)} %` : null,
      gates.maxScoreShiftQ !== undefined ? `score shift ±${gates.maxScoreShiftQ} q` : null,
      gates.maxEnergyPerInferenceRatio !== undefined ? `energy/inference ×${gates.maxEnergyPerInferenceRatio}` : null,
      gates.maxAccuracyDropPct !== undefined ? `accuracy drop ≤ ${gates.maxAccuracyDropPct} pts` : null,
    ].filter(Boolean);
    if (limits.length === 0 || g.state === 'READY') return null;
    const soak = gates.soakS ? ` after a ${gates.soakS} s soak` : '';
    return h(
      'p',
      { class: 'muted' },
      `Health gates: ${limits.join(', ')} — judged${soak} once ≥ ${gates.minDevicesPerSide ?? 3} devices per side report${gates.autoRollback ? '; automatic rollback on a breach' : ''}. No reading yet.`,
    );
  }

  /**
   * @param {GateReadings} gr
   * @param {GateVerdict[]} verdicts
   * @param {Gates} gates
   */
  function gateTable(gr, verdicts, gates) {
    const u = gr.updated;
    const c = gr.control;
    /** @type {Record<string, GateVerdict>} */
    const v = Object.fromEntries(verdicts.map((x) => [x.gate, x]));
    // Readings taken before the accuracy gate existed have no accuracy fields.
    /** @param {GateSide} s */
    const acc = (s) => (s.accuracyPct == null ? '—' : `${fmtNum(s.accuracyPct)} % (n=${fmtNum(s.accuracyInferences)})`);
    /**
     * @param {GateVerdict['gate']} gate
     * @param {(x: number) => string} show
     */
    const reading = (gate, show) => {
      const x = v[gate].reading;
      return x === null ? '—' : show(x);
    };
    /** @param {GateVerdict['gate']} gate */
    const verdict = (gate) => v[gate].verdict;
    /**
     * @param {string} label
     * @param {Child} uv the updated devices' value
     * @param {Child} cv the control group's value
     * @param {string} reading
     * @param {string} limit
     * @param {GateVerdict['verdict']} ok
     */
    const row = (label, uv, cv, reading, limit, ok) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, label),
        h('td', { class: 'num' }, uv),
        h('td', { class: 'num' }, cv),
        h('td', { class: 'num' }, reading),
        h('td', { class: 'num' }, limit),
        h(
          'td',
          {},
          ok === 'pass' || ok === 'fail'
            ? badge(ok.toUpperCase())
            : h('span', { class: 'muted' }, ok === 'off' ? 'off' : 'not judged'),
        ),
      );
    return h(
      'div',
      {},
      h(
        'p',
        {},
        'Health gates ',
        gr.pass === null
          ? h('span', { class: 'muted' }, '(waiting for enough data)')
          : badge(gr.pass ? 'PASS' : 'FAIL'),
        h('span', { class: 'muted' }, ` evaluated ${fmtTime(gr.evaluatedAt)}`),
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'aria-label': 'Health gate readings' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Gate', 'Updated', 'Old model', 'Reading', 'Limit', 'Verdict'].map((t, i) =>
                h('th', { scope: 'col', class: i && i < 5 ? 'num' : undefined }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            row('Devices with events', u.devices, c.devices, '', `≥ ${v.devices.limit}`, verdict('devices')),
            row(
              'Events per device-hour',
              fmtNum(u.eventsPerDeviceHour),
              fmtNum(c.eventsPerDeviceHour),
              reading('event-rate', (x) => `${fmtNum(x * 100)} %`),
              gates.maxEventRateChange === undefined ? 'off' : `±${fmtNum(gates.maxEventRateChange * 100)} %`,
              verdict('event-rate'),
            ),
            row(
              'Mean score (q)',
              fmtNum(u.meanScoreQ),
              fmtNum(c.meanScoreQ),
              reading('score-shift', fmtNum),
              gates.maxScoreShiftQ === undefined ? 'off' : `±${gates.maxScoreShiftQ}`,
              verdict('score-shift'),
            ),
            row(
              'Energy per inference (µJ)',
              fmtNum(u.meanEnergyUj),
              fmtNum(c.meanEnergyUj),
              reading('energy-ratio', (x) => `×${fmtNum(x)}`),
              gates.maxEnergyPerInferenceRatio === undefined ? 'off' : `×${gates.maxEnergyPerInferenceRatio}`,
              verdict('energy-ratio'),
            ),
            row(
              'On-device accuracy',
              acc(u),
              acc(c),
              reading('accuracy-drop', (x) => `${fmtNum(-x)} pts`),
              gates.maxAccuracyDropPct === undefined
                ? 'off'
                : `drop ≤ ${gates.maxAccuracyDropPct} pts (n ≥ ${gates.minAccuracyInferences})`,
              verdict('accuracy-drop'),
            ),
            row(
              'Drift (class-mix PSI, no ground truth)',
              fmtNum(u.summary?.inferences ?? null),
              fmtNum(c.summary?.inferences ?? null),
              reading('drift', fmtNum),
              gates.maxDriftPsi === undefined ? 'off' : `PSI ≤ ${gates.maxDriftPsi}`,
              verdict('drift'),
            ),
          ),
        ),
      ),
      gr.breaches.length
        ? h(
            'ul',
            { class: 'error' },
            gr.breaches.map((b) => h('li', {}, b)),
          )
        : null,
      gr.notJudged?.length
        ? h(
            'ul',
            { class: 'muted' },
            gr.notJudged.map((b) => h('li', {}, `Not judged yet — ${b}`)),
          )
        : null,
    );
  }

  const refresh = throttle(() => loadList().catch(showError), 1000);
  /** @param {Error} err */
  function showError(err) {
    clear(list, h('p', { class: 'error', role: 'alert' }, err.message));
  }
  buildForm().catch((err) => clear(formBox, h('p', { class: 'error' }, err.message)));
  loadList().catch(showError);
  // Rollout and group state changes that are not job transitions (a group finishing, a gate verdict)
  // emit nothing: poll a little while this view is open.
  const poll = setInterval(refresh, 5000);

  return {
    onLive(msg) {
      if (msg.type === 'ota') refresh();
    },
    dispose() {
      clearInterval(poll);
      refresh.cancel();
    },
  };
}

/**
 * A modal confirmation (the native <dialog>: focus is trapped and Escape cancels).
 * @param {string} title
 * @param {string} text
 * @param {() => Promise<void>} action run once confirmed
 */
function confirmThen(title, text, action) {
  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm-dialog'));
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  dialog.returnValue = '';
  dialog.addEventListener(
    'close',
    () => {
      if (dialog.returnValue === 'ok')
        action().catch((/** @type {Error} */ err) => alert(`${title} failed: ${err.message}`));
    },
    { once: true },
  );
  dialog.showModal();
  byId('confirm-ok').focus();
}
