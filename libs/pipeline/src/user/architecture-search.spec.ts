import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initTf } from '../train/tf-backend';
import { runSearch, type SearchOptions } from './architecture-search';
import { resolveTarget, TargetError } from './device-target';
import { loadUserDataset } from './user-dataset';

/** The search on a small synthetic recording: seeded, fit-filtered, two objectives, a clear refusal. */
describe('architecture search for a target device', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-search-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const file = path.join(tmp, 'vibration.csv');
  beforeAll(async () => {
    await initTf();
    const lines = ['timestamp,x,y,state'];
    let t = 0;
    for (let seg = 0; seg < 6; seg++)
      for (let i = 0; i < 200; i++, t += 0.1)
        lines.push(
          `${t.toFixed(1)},${Math.sin(t * (seg % 2 ? 7 : 2)).toFixed(3)},${((i * 13) % 7) / 7},${seg % 2 ? 'fault' : 'ok'}`,
        );
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  });
  const opts = (over: Partial<SearchOptions> = {}): SearchOptions => ({
    base: { kind: 'window', window: 16, stride: 4 },
    target: resolveTarget({ mcu: 'nrf52840' }),
    objective: 'accuracy',
    budget: { trials: 3 },
    epochs: 1,
    seed: 7,
    framesPerDay: 144,
    ...over,
  });

  it('is reproducible, measures every candidate on the device and picks by the objective', () => {
    const data = loadUserDataset({ path: file, labelColumn: 'state' });
    const a = runSearch(data, opts());
    const b = runSearch(data, opts());
    expect(a.trials.map((t) => [t.architecture, t.valAccuracy, t.flashBytes, t.ramBytes])).toEqual(
      b.trials.map((t) => [t.architecture, t.valAccuracy, t.flashBytes, t.ramBytes]),
    );
    expect(a.trials).toHaveLength(3);
    for (const t of a.trials) {
      expect(t.macs).toBeGreaterThan(0);
      expect(t.latencyMs).toBeGreaterThan(0);
      // 10 Hz rows; the node infers every window / 2 rows (16 → 8: 108 000 a day; the half window 8 → 4: 216 000).
      const w = t.architecture.input.kind === 'window' ? t.architecture.input.window : 0;
      expect(t.inferencesPerDay).toBeCloseTo(86_400 / (0.1 * (w / 2)), 6);
      expect(t.joulesPerDay).toBeCloseTo(t.computeJPerDay + t.radioJPerDay, 12);
    }
    expect(a.chosen.valAccuracy).toBe(Math.max(...a.trials.map((t) => t.valAccuracy)));
    const e = runSearch(data, opts({ objective: 'energy', minAccuracy: 0 }));
    expect(e.chosen.joulesPerDay).toBe(Math.min(...e.trials.map((t) => t.joulesPerDay)));
    expect(e.trials.some((t) => t.pareto)).toBe(true);
  });

  it('refuses with the reasons when nothing fits the device', () => {
    const data = loadUserDataset({ path: file, labelColumn: 'state' });
    expect(() =>
      runSearch(data, opts({ target: resolveTarget({ mcu: 'nrf52840', maxRamBytes: 16 }), budget: { trials: 2 } })),
    ).toThrow(TargetError);
    expect(() =>
      runSearch(data, opts({ target: resolveTarget({ mcu: 'nrf52840', maxRamBytes: 16 }), budget: { trials: 2 } })),
    ).toThrow(/no candidate fits nrf52840: .*RAM \d+ > 16 B/);
    expect(() => resolveTarget({ mcu: 'z80' })).toThrow(/unknown MCU profile "z80"; known: nrf52840/);
  });
});
