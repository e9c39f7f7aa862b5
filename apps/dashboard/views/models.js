// @ts-check
// Models: every registry version with its sizes (float32 / int8 / Huffman OTA form), arena, MACs,
// accuracy per pipeline stage, signing key, and whether it fits each MCU profile — from the
// flash/RAM budgets the platform computes (libs/energy), so no figure is duplicated here.
import { api } from '../api.js';
import { clear, fmtBytes, fmtInt, fmtNum, h, panel } from '../dom.js';

/** @typedef {import('../api-types').ModelVersion} ModelVersion */
/** @typedef {import('../api-types').McuProfile} McuProfile */
/** @typedef {import('../api-types').StageMetric} StageMetric */

/** @param {HTMLElement} root */
export function mount(root) {
  const body = h('div');
  clear(root, h('h1', {}, 'Models'), body);

  (async () => {
    /** @type {[ModelVersion[], McuProfile[], Array<{ keyId: string, name: string }>]} */
    const [models, mcus, keys] = await Promise.all([
      api('/api/models'),
      api('/api/dashboard/mcu-profiles'),
      api('/api/keys'),
    ]);
    const keyName = new Map(keys.map((k) => [k.keyId, k.name]));
    if (models.length === 0) {
      clear(
        body,
        panel(
          'Registry',
          h(
            'p',
            { class: 'muted' },
            'No model in the registry yet: `npx tinyfleet model push DIR` uploads a signed artifact folder (or POST /api/models).',
          ),
        ),
      );
      return;
    }
    clear(
      body,
      panel(
        'Versions',
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { 'aria-label': 'Model versions' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                [
                  'Model',
                  'Version',
                  'Float32',
                  'Int8',
                  'OTA (Huffman)',
                  'Compression',
                  'RAM (device)',
                  'Flash',
                  'MACs',
                  'Accuracy per stage',
                  'Signing key',
                  'Min interpreter',
                ].map((t, i) => h('th', { scope: 'col', class: i >= 2 && i <= 8 ? 'num' : undefined }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              models.map((m) => {
                const f32 = m.sizes.float32TfliteBytes;
                const small = m.sizes.otaBytes ?? m.sizes.tfliteBytes;
                return h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, m.name),
                  h('td', {}, m.version),
                  h('td', { class: 'num' }, fmtBytes(f32)),
                  h('td', { class: 'num' }, fmtBytes(m.sizes.tfliteBytes)),
                  h('td', { class: 'num' }, fmtBytes(m.sizes.otaBytes)),
                  h(
                    'td',
                    { class: 'num', title: 'float32 size ÷ smallest form sent' },
                    f32 && small ? `${fmtNum(f32 / small, 3)}×` : '—',
                  ),
                  h(
                    'td',
                    {
                      class: 'num',
                      title: m.memory
                        ? `activations ${fmtBytes(m.memory.activationsBytes)} + scratch ${fmtBytes(m.memory.scratchBytes)} + persistent ${fmtBytes(m.memory.persistentBytes)} (32-bit device)`
                        : 'planned activations only (built before device memory was counted)',
                    },
                    fmtBytes(m.ramBytes),
                  ),
                  h('td', { class: 'num' }, fmtBytes(m.flashBytes)),
                  h('td', { class: 'num' }, fmtInt(m.macs)),
                  h('td', {}, accuracy(m.metrics)),
                  h(
                    'td',
                    { title: m.keyId },
                    `${keyName.get(m.keyId) ?? 'unknown key'} `,
                    h('span', { class: 'mono muted' }, m.keyId.slice(0, 10)),
                  ),
                  h('td', {}, m.minInterpreterVersion),
                );
              }),
            ),
          ),
        ),
      ),
      panel(
        'Compatibility with MCU profiles',
        h(
          'p',
          { class: 'muted' },
          'Flash next to the firmware for an A/B update (the old model stays in the other slot until the new one is confirmed) and RAM for the tensor arena. Interpreter version and sensor signature are checked per device when a rollout is planned.',
        ),
        h(
          'p',
          { class: 'legend' },
          h('span', { class: 'fit-yes' }, '✓ fits (A/B)'),
          h('span', { class: 'fit-partial' }, '◐ fits one slot only'),
          h('span', { class: 'fit-no' }, '✗ does not fit'),
        ),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { 'aria-label': 'Model compatibility per MCU profile' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Model'),
                mcus.map((p) =>
                  h(
                    'th',
                    {
                      scope: 'col',
                      title: `${p.label}: ${fmtBytes(p.flashBytes)} flash, ${fmtBytes(p.sramBytes)} SRAM`,
                    },
                    p.id,
                  ),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              models.map((m) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, `${m.name}@${m.version}`),
                  mcus.map((p) => fit(m, p)),
                ),
              ),
            ),
          ),
        ),
        h('h3', {}, 'Budgets'),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { 'aria-label': 'MCU budgets' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Profile', 'Core', 'Flash', 'SRAM', 'Flash for one model', 'RAM for the arena'].map((t, i) =>
                  h('th', { scope: 'col', class: i >= 2 ? 'num' : undefined }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              mcus.map((p) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row', title: p.label }, p.id),
                  h('td', {}, p.core),
                  h('td', { class: 'num' }, fmtBytes(p.flashBytes)),
                  h('td', { class: 'num' }, fmtBytes(p.sramBytes)),
                  h('td', { class: 'num' }, fmtBytes(p.flashBytesForModel)),
                  h('td', { class: 'num' }, fmtBytes(p.ramBytesForArena)),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  })().catch((err) => clear(body, h('p', { class: 'error', role: 'alert' }, err.message)));

  return { dispose() {} };
}

/** @param {StageMetric[] | null} metrics */
function accuracy(metrics) {
  if (!metrics?.length) return h('span', { class: 'muted' }, '—');
  // Accuracy is a 0–1 fraction in the manifest.
  return metrics.map((s, i) => [
    i ? ' · ' : '',
    h('span', { title: s.notes ?? '' }, `${s.stage} ${fmtNum(s.accuracy <= 1 ? s.accuracy * 100 : s.accuracy, 3)} %`),
  ]);
}

/**
 * @param {ModelVersion} m
 * @param {McuProfile} p
 */
function fit(m, p) {
  const bytes = m.sizes.tfliteBytes;
  const ramOk = m.ramBytes <= p.ramBytesForArena;
  const oneSlot = bytes <= p.flashBytesForModel;
  const ab = 2 * bytes <= p.flashBytesForModel;
  const why = [
    `model ${fmtBytes(bytes)} (×2 for A/B) vs ${fmtBytes(p.flashBytesForModel)} flash free`,
    `interpreter RAM ${fmtBytes(m.ramBytes)} vs ${fmtBytes(p.ramBytesForArena)} RAM free`,
  ].join('; ');
  if (ramOk && ab) return h('td', { class: 'fit-yes', title: why }, '✓ A/B');
  if (ramOk && oneSlot) return h('td', { class: 'fit-partial', title: why }, '◐ 1 slot');
  return h('td', { class: 'fit-no', title: why }, `✗ ${!ramOk ? 'RAM' : 'flash'}`);
}
