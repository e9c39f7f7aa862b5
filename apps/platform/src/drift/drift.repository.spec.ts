import type { InferenceSummaryV1 } from '@tinyfleet/wire';
import { DataSource } from 'typeorm';
import { createTestDatabase, DatabaseKind, TestDatabase } from '../../../../test/support/test-database';
import type { AppConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from '../database/entities';
import { DriftMonitor } from './drift-monitor';
import { DriftVerdictsRepository } from './drift-verdicts.repository';
import { InferenceSummariesRepository } from './inference-summaries.repository';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 27); // on the hour
const TAG = 0xaabbccdd;

/** An hour of a two-class model: `ones` of 100 inferences won class 1; inputs centred on `mean`. */
const summary = (seq: number, ones: number, mean = 0, tag = TAG): InferenceSummaryV1 => ({
  bootId: 7,
  seq,
  timestampMs: T0 + (seq + 1) * HOUR - 1,
  windowMs: HOUR,
  marginQ: 32,
  models: [
    {
      modelTag: tag,
      inferences: 100,
      classCounts: [100 - ones, ones],
      scoreHistogram: [...Array(15).fill(0), 100],
      lowMargin: 3,
      // 100 values around `mean` with variance 100: Σq = 100·mean, Σq² = 100·(100 + mean²)
      inputStats: [{ count: 100, sum: 100 * mean, sumSquares: 100 * (100 + mean * mean) }],
    },
  ],
});

/** inference_summaries and drift_verdicts on each database the platform runs on, with the monitor over them. */
describe.each<DatabaseKind>(['postgres', 'pglite'])('drift repositories on %s', (kind) => {
  let db: TestDatabase;
  let ds: DataSource;
  let summaries: InferenceSummariesRepository;
  let verdicts: DriftVerdictsRepository;
  let monitor: DriftMonitor;
  const config = { drift: { tickMs: 0, windowMs: 4 * HOUR, stepMs: HOUR } } as AppConfig;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    ds = new DataSource({ type: 'postgres', url: db.url, entities: ENTITIES, migrations: MIGRATIONS, logging: false });
    await ds.initialize();
    await ds.runMigrations();
    for (const id of ['dev-a', 'dev-b'])
      await ds.query(
        `INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version,
           lifecycle, connectivity, secret_hash, broker_hash, active_model_id, active_model_version, active_model_tag)
         VALUES ($1, 'hw-' || $1, 'nrf52840', 'nrf52840-ble-1m', 'doorbell', '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'y',
           'person-detect', '1.0.0', $2)`,
        [id, TAG],
      );
    summaries = new InferenceSummariesRepository(ds.manager);
    verdicts = new DriftVerdictsRepository(ds.manager);
    monitor = new DriftMonitor(summaries, verdicts, config);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.dispose();
  });

  it('stores each model of a summary once, named and placed in its cohort; unknown devices and tags as such', async () => {
    const rows = [0, 1, 2, 3].flatMap((seq) => [
      { deviceId: 'dev-a', summary: summary(seq, 50) },
      { deviceId: 'dev-b', summary: summary(seq, 50) },
    ]);
    await summaries.insertBatch(rows);
    await summaries.insertBatch(rows.slice(0, 3)); // re-deliveries store nothing
    await summaries.insertBatch([{ deviceId: 'nobody', summary: summary(0, 50) }]);
    await summaries.insertBatch([{ deviceId: 'dev-a', summary: summary(9, 50, 0, 0x01020304) }]);
    const stored = await ds.query(
      `SELECT device_id, seq::int AS seq, model_id, sensor_stream, class_counts::float8[] AS cc, input_sum FROM inference_summaries ORDER BY device_id, seq`,
    );
    expect(stored).toHaveLength(9);
    expect(stored[0]).toEqual({
      device_id: 'dev-a',
      seq: 0,
      model_id: 'person-detect',
      sensor_stream: 'doorbell',
      cc: [50, 50],
      input_sum: [0],
    });
    expect(stored.find((r: { seq: number }) => r.seq === 9).model_id).toBeNull();
    expect(await summaries.cohorts()).toEqual([
      {
        modelId: 'person-detect',
        modelVersion: '1.0.0',
        stream: 'doorbell',
        mcu: 'nrf52840',
        radio: 'nrf52840-ble-1m',
        firstMs: T0 + HOUR - 1,
        lastMs: T0 + 4 * HOUR - 1,
      },
    ]);
    const w = await summaries.cohortWindow((await summaries.cohorts())[0]!, T0, T0 + 2 * HOUR);
    expect(w.devices).toBe(2);
    expect(w.signals).toMatchObject({ inferences: 400, classCounts: [200, 200], lowMargin: 12 });
    expect(w.signals!.inputStats).toEqual([{ count: 400, sum: 0, sumSquares: 40_000 }]);
  });

  it('without a manifest reference, the first window is the reference; a later class-mix shift is drift', async () => {
    expect(await monitor.tick(new Date())).toEqual([]); // only the reference window so far
    // Hours 4..7: the model starts calling class 1 for 90 of 100 (a doorbell firing on shadows).
    await summaries.insertBatch(
      [4, 5, 6, 7].flatMap((seq) => ['dev-a', 'dev-b'].map((deviceId) => ({ deviceId, summary: summary(seq, 90) }))),
    );
    const written = await monitor.tick(new Date(T0 + 10 * HOUR));
    // Reference: hours 0..3, half class 1. Sliding 4 h windows ending at 5, 6, 7 h hold 1, 2, 3 hours
    // of the new behaviour: 60, 70, 80 % class 1 — PSI 0.040, 0.170, 0.416.
    expect(written.map((v) => [(v.windowEndMs - T0) / HOUR, v.verdict])).toEqual([
      [5, 'stable'],
      [6, 'stable'],
      [7, 'drift'],
    ]);
    expect(written[0]).toMatchObject({ devices: 2, inferences: 800 });
    expect(written.map((v) => v.classMixPsi)).toEqual([
      expect.closeTo(0.04, 2),
      expect.closeTo(0.17, 2),
      expect.closeTo(0.416, 2),
    ]);
    expect(written[2]!.reasons[0]).toMatch(/^class mix PSI 0\.\d+ > 0\.25$/);
    expect(written[2]!.referenceSource).toMatch(/first 4 h/);
    // Idempotent: a second tick (or a second instance) writes nothing new.
    expect(await monitor.tick(new Date(T0 + 11 * HOUR))).toEqual([]);
    const history = await verdicts.history({ modelId: 'person-detect' });
    expect(history.map((v) => v.verdict)).toEqual(['stable', 'stable', 'drift']);
    expect((await verdicts.latest())[0]).toMatchObject({ verdict: 'drift', windowEndMs: T0 + 7 * HOUR });
    expect(await verdicts.history({ stream: 'soil' })).toEqual([]);
  });

  it('with manifest.monitoring, judges every window against it, channels folded as the device folds them', async () => {
    await ds.query(`UPDATE devices SET active_model_version = '2.0.0', active_model_tag = $1`, [0x0badf00d]);
    await ds.query(`INSERT INTO trusted_keys (key_id, name, public_key_pem) VALUES ('key', 'test', 'pem')`);
    await ds.query(
      `INSERT INTO model_artifacts (name, version, sha256, model_bytes, manifest_text, manifest, signature, key_id)
       VALUES ('person-detect', '2.0.0', $1, '\\x00', '{}', $2::jsonb, 'sig', 'key')`,
      [
        'ab'.repeat(32),
        JSON.stringify({
          monitoring: {
            marginQ: 32,
            source: 'validation split, 1000 examples',
            // 20 channels: folded into 16 slots, channel 16 into slot 0 — each half of slot 0's reference count.
            reference: {
              inferences: 1000,
              classCounts: [500, 500],
              scoreHistogram: [...Array(15).fill(0), 1000],
              lowMargin: 30,
              inputStats: Array.from({ length: 20 }, (_, k) => ({
                count: k === 0 || k === 16 ? 500 : 1000,
                sum: 0,
                sumSquares: (k === 0 || k === 16 ? 500 : 1000) * 100,
              })),
            },
          },
        }),
      ],
    );
    const rows = [0, 1, 2].flatMap((seq) =>
      ['dev-a', 'dev-b'].map((deviceId) => ({
        deviceId,
        summary: { ...summary(seq + 20, 50, 8, 0x0badf00d), bootId: 8 },
      })),
    );
    await summaries.insertBatch(rows);
    const written = await monitor.tick(new Date(T0 + 30 * HOUR));
    expect(written.length).toBeGreaterThan(0);
    for (const v of written) {
      expect(v).toMatchObject({
        modelVersion: '2.0.0',
        referenceSource: 'manifest.monitoring: validation split, 1000 examples',
      });
      expect(v.classMixPsi).toBeCloseTo(0, 9);
    }
    // Slot 0 moved by 0.8 SD (mean 8, SD 10): an input shift, found against the folded reference.
    const last = written[written.length - 1]!;
    expect(last.verdict).toBe('drift');
    expect(last.maxInputShiftSd).toBeCloseTo(0.8, 1);
    expect(last.reasons.join('; ')).toMatch(/input channel 0 moved 0\.8\d SD/);
  });

  it('what the drift gate reads: the latest judged verdict per cohort of a model (by sha256), a window split in order of arrival', async () => {
    const cohort = {
      modelId: 'person-detect',
      modelVersion: '2.0.0',
      stream: 'doorbell',
      mcu: 'nrf52840',
      radio: 'nrf52840-ble-1m',
    };
    const latestEnd = (await verdicts.lastWindowEnd(cohort))!;
    // A later window with too little data is not the cohort's verdict (its devices moved on).
    await verdicts.insert([
      {
        ...cohort,
        windowStartMs: latestEnd,
        windowEndMs: latestEnd + HOUR,
        evaluatedAt: new Date(),
        verdict: 'insufficient-data',
        referenceSource: 'test',
        devices: 1,
        inferences: 3,
        classMixPsi: null,
        scoreJsBits: null,
        maxInputShiftSd: null,
        lowMarginRate: null,
        reasons: [],
      },
    ]);
    const judged = await verdicts.latestJudged(['ab'.repeat(32)], ['dev-a', 'nobody']);
    expect(judged).toHaveLength(1);
    expect(judged[0]).toMatchObject({ ...cohort, verdict: 'drift', windowEndMs: latestEnd });
    expect(await verdicts.latestJudged(['cd'.repeat(32)], ['dev-a'])).toEqual([]);
    expect(await verdicts.latestJudged(['ab'.repeat(32)], ['nobody'])).toEqual([]);

    // dev-a sent three summaries of 100 inferences of tag 0x0badf00d: the first two hold 150.
    const tags = new Map([['dev-a', 0x0badf00d]]);
    const [since, now] = [new Date(0), new Date(Date.now() + HOUR)];
    const split = await summaries.devicesWindowSplit(tags, since, now, 150);
    expect(split.first).toMatchObject({ devices: 1, signals: { inferences: 200 } });
    expect(split.after).toMatchObject({ devices: 1, signals: { inferences: 100 } });
    expect(await summaries.devicesWindowSplit(tags, since, now, 301)).toEqual({
      first: null,
      after: { signals: null, devices: 0 },
    });
  });

  it("grows a thin first window a step at a time until it holds a verdict's minimum", async () => {
    // One device on another MCU (its own cohort) with 40 inferences an hour: its first 4 h hold 160 of
    // the 200 a verdict needs, so the reference is its first 5 h and judging starts at the 6 h end.
    await ds.query(
      `INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version,
         lifecycle, connectivity, secret_hash, broker_hash, active_model_id, active_model_version, active_model_tag)
       VALUES ('dev-thin', 'hw-thin', 'stm32l4r5', 'nrf52840-ble-1m', 'doorbell', '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'y',
         'person-detect', '1.0.0', $1)`,
      [TAG],
    );
    const thin = (seq: number) => {
      const s = summary(seq, 50);
      const m = s.models[0]!;
      return {
        deviceId: 'dev-thin',
        summary: {
          ...s,
          models: [{ ...m, inferences: 40, classCounts: [20, 20], scoreHistogram: [...Array(15).fill(0), 40] }],
        },
      };
    };
    const judged = async () =>
      (await monitor.tick(new Date())).filter((v) => v.mcu === 'stm32l4r5').map((v) => (v.windowEndMs - T0) / HOUR);
    await summaries.insertBatch([0, 1, 2, 3, 4].map(thin));
    expect(await judged()).toEqual([]); // 4 h hold 160, 5 h hold 200: the reference, nothing after it yet
    await summaries.insertBatch([5, 6].map(thin));
    const history = async () =>
      (await verdicts.history({ modelId: 'person-detect' })).filter((v) => v.mcu === 'stm32l4r5');
    expect(await judged()).toEqual([6]);
    // The judged 4 h window holds 160 itself, so it is not a verdict either — but it has a reference.
    expect((await history())[0]).toMatchObject({ verdict: 'insufficient-data', inferences: 160 });
    expect((await history())[0]!.referenceSource).toMatch(/^the cohort's first 5 h after it started .*, 1 devices$/);
  });
});
