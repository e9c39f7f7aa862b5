import { buildEnergyReport } from './energy-report.builder';
import { CSV_COLUMNS, renderCsv, reportRows, valueAt } from './energy-report.csv';
import { RADIO_PROFILES } from '@tinyfleet/energy';
import { messageCostFragmented } from './energy-what-if';
import { OTA_CHUNK_FRAMING_BYTES, otaDownloadUj } from './energy-ota';
import { fleetInput } from './energy-report.fixtures';
import { renderHtml } from './energy-report.html';

function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','));
}

describe('energy report rendering (test fleet, pure)', () => {
  const report = buildEnergyReport(fleetInput());

  it('covers every group, bucket and what-if target, and says where edge inference is worse', () => {
    expect(report.fleet.figures.devices).toBe(6);
    expect(report.fleet.figures.modes).toEqual({ edge: 5, streaming: 1, idle: 0 });
    expect(report.groups.filter((g) => g.groupBy === 'device').map((g) => g.key)).toHaveLength(6);
    expect(report.timeSeries.length).toBeGreaterThanOrEqual(24);
    expect(report.whatIf.radio).toHaveLength(7);
    expect(report.whatIf.mcu).toHaveLength(8);
    const big = report.groups.find((g) => g.key === 'hw-soil-ble-big')!;
    expect(big.figures.verdict).toBe('edge-worse');
    expect(report.findings.join('\n')).toMatch(/WORSE/);
    expect(report.groups.find((g) => g.key === 'hw-soil-streamer')!.figures).toMatchObject({
      verdict: 'no-difference',
      rawToEdgeRatio: 1,
    });
    expect(report.dataQuality).toMatchObject({ reboots: 1, devicesWithoutSnapshots: ['hw-never-reported'] });
    expect(report.whatIf.radio.find((w) => w.key === 'lorawan-sf12')!.dutyCycle!.rawViolations).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity/);
  });

  it('CSV has one row per JSON row and the same value in every cell', () => {
    const rows = parseCsv(renderCsv(report));
    expect(rows[0]).toEqual(CSV_COLUMNS.map((c) => c.header));
    const json = reportRows(report);
    expect(rows.length - 1).toBe(json.length);
    const expected = json.map((row) => CSV_COLUMNS.map((c) => String(valueAt(row, c.path) ?? '')));
    expect(rows.slice(1)).toEqual(expected);
  });

  it('HTML is self-contained, has its charts and states units, assumptions, sources and validation', () => {
    const html = renderHtml(report);
    for (const chart of ['split', 'battery', 'timeseries', 'whatif-radio', 'whatif-mcu'])
      expect(html).toContain(`data-chart="${chart}"`);
    expect(html).not.toMatch(/NaN|undefined|<script src|<link |https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toMatch(/EDGE WORSE/);
    expect(html).toMatch(/Validation against MLPerf Tiny/);
    expect(html).toMatch(/S-NRF-RADIO/);
    expect(html).toMatch(/EnergySnapshotV1 has no OTA counter/);
    expect(html).toMatch(/No rollouts have touched these devices yet/);
  });

  it('a time range with no data: clear statement, zeros, no NaN, no charts', () => {
    const empty = buildEnergyReport(fleetInput({ from: '2030-01-01T00:00:00.000Z', to: '2030-01-02T00:00:00.000Z' }));
    expect(empty.fleet.figures).toMatchObject({ devices: 0, verdict: 'no-data', edgeJoulesPerDay: { total: 0 } });
    expect(empty.findings[0]).toMatch(/No energy snapshots/);
    const html = renderHtml(empty);
    expect(html).not.toMatch(/NaN|undefined/);
    expect(html).toMatch(/No data/);
    expect(renderCsv(empty)).not.toMatch(/NaN/);
  });

  it('OTA download estimate from delivered chunks, and rollout before/after rows with and without accuracy reports', () => {
    const ble = RADIO_PROFILES['nrf52840-ble-1m'];
    const topic = 'tinyfleet/v1/d/hw-soil-ble-a/up/event'.length;
    // 10 chunks of 1,000 B each: 10 downlinks of 1,019 B + one 16-B request uplink.
    const expectedUj =
      10 * messageCostFragmented(ble, 1000 + OTA_CHUNK_FRAMING_BYTES, topic, 'down').energyUj +
      messageCostFragmented(ble, 16, topic, 'up').energyUj;
    expect(otaDownloadUj(ble, { jobs: 1, chunks: 10, bytes: 10_000 }, topic)).toBeCloseTo(expectedUj, 6);
    const rollout = {
      rolloutId: 3,
      name: 'soil v2',
      model: 'soil-model@2.0.0',
      state: 'COMPLETED',
      startedAt: null,
      finishedAt: null,
      devices: 2,
      jobsByState: { SUCCEEDED: 2 },
      before: { events: 40, meanEnergyPerInferenceUj: 23, meanLatencyUs: 1170 },
      after: { events: 30, meanEnergyPerInferenceUj: 469, meanLatencyUs: 23_400 },
      energyPerInferenceChangePct: 1939,
      accuracyBeforePct: 62.5,
      accuracyAfterPct: 87.2,
      accuracyBeforeInferences: 240,
      accuracyAfterInferences: 1250,
    };
    const unreported = {
      ...rollout,
      rolloutId: 4,
      name: 'soil v3',
      accuracyBeforePct: null,
      accuracyAfterPct: null,
      accuracyBeforeInferences: 0,
      accuracyAfterInferences: 0,
    };
    const r = buildEnergyReport({
      ...fleetInput(),
      ota: new Map([['hw-soil-ble-a', { jobs: 1, chunks: 10, bytes: 10_000 }]]),
      rollouts: [rollout, unreported],
    });
    expect(r.groups.find((g) => g.key === 'hw-soil-ble-a')!.figures.otaDownloadJ).toBeCloseTo(expectedUj / 1e6, 6);
    expect(r.fleet.figures.otaDownloadJ).toBeCloseTo(expectedUj / 1e6, 6);
    const findings = r.findings.join('\n');
    expect(findings).toMatch(
      /Rollout #3 soil v2 \(soil-model@2.0.0\): energy per inference 23 → 469 µJ \(\+1,939 %\); accuracy 62.5 % → 87.2 % \(\+24.7 pts, n=240 → 1,250 inferences checked on the devices\)\./,
    );
    expect(findings).toMatch(/Rollout #4 soil v3 .*; accuracy not available \(no accuracy reports\)\./);
    const html = renderHtml(r);
    expect(html).toMatch(/#3 soil v2/);
    expect(html).toContain('<td>62.5 → 87.2</td><td>240 / 1,250</td>');
    expect(html).toContain('<td>no reports → no reports</td><td>0 / 0</td>');
    expect(html).toMatch(/ground-truth log/);
    const versions = [
      {
        modelId: 'soil-model',
        modelVersion: '2.0.0',
        devices: 2,
        events: 30,
        meanEnergyPerInferenceUj: 469,
        meanLatencyUs: 23_400,
        firstEventAt: null,
        lastEventAt: null,
        accuracyPct: 87.2,
        accuracyInferences: 1250,
      },
      {
        modelId: 'soil-model',
        modelVersion: '1.0.0',
        devices: 2,
        events: 40,
        meanEnergyPerInferenceUj: 23,
        meanLatencyUs: 1170,
        firstEventAt: null,
        lastEventAt: null,
        accuracyPct: null,
        accuracyInferences: 0,
      },
    ];
    const byVersion = renderHtml(buildEnergyReport({ ...fleetInput(), modelVersions: versions }));
    // The drift column: "—" for a version without drift verdicts in the range.
    expect(byVersion).toContain('<td>87.2</td><td>1,250</td><td class="k">—</td></tr>');
    expect(byVersion).toContain('<td>no reports</td><td>0</td><td class="k">—</td></tr>');
    expect(html).not.toMatch(/NaN|undefined/);
  });
});
