import type { StatusV1 } from '@tinyfleet/wire';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { CSV_COLUMNS, reportRows, valueAt } from '../apps/platform/src/energy/energy-report.csv';
import { runTestNode, TEST_FLEET, TestNodeRun } from '../apps/platform/src/energy/energy-report.fixtures';
import type { EnergyReport } from '../apps/platform/src/energy/energy-report.types';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../device-sim/src/mqtt/provision-by-claim';
import { provisionRequest } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'bin', 'tinyfleet.js');
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The energy report end to end: six simulated nodes (their ledgers driven by @tinyfleet/energy)
 * register by claim over MQTT and publish a day of hourly energy snapshots — out of order, some twice,
 * one node rebooting — plus their inference events and a status naming their model. The report must
 * count each snapshot once, agree between JSON and CSV, render its charts in headless Chromium, and
 * come out of `tinyfleet energy report`.
 */
describe('energy report end to end (pglite)', () => {
  let platform: TestPlatform;
  const runs = TEST_FLEET.map((s) => runTestNode(s));
  const deviceOf = new Map<string, string>(); // hardware id → device id
  let report: EnergyReport;

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite');
    const claims = new Map<string, { claimId: string; claimSecret: string }>();
    for (const battery of new Set(TEST_FLEET.map((s) => s.battery ?? ''))) {
      claims.set(
        battery,
        await platform.createClaim({
          name: `energy ${battery || 'default'}`,
          tags: battery ? [`battery-${battery}`] : [],
        }),
      );
    }
    await Promise.all(runs.map((r) => publishRun(r)));
    report = (await platform.api('GET', '/api/energy/report')).body;

    async function publishRun(r: TestNodeRun): Promise<void> {
      const s = r.spec;
      const res = await provisionByClaim(
        platform.mqttUrl,
        claims.get(s.battery ?? '')!,
        provisionRequest(s.hardwareId, { mcuProfile: s.mcu, radioProfile: s.radio, sensorStream: s.stream }),
      );
      if (res.status === 'refused' || !res.deviceSecret) throw new Error(`registration failed: ${JSON.stringify(res)}`);
      deviceOf.set(s.hardwareId, res.deviceId);
      const device = await DeviceConnection.open(platform.mqttUrl, {
        deviceId: res.deviceId,
        secret: res.deviceSecret,
      });
      try {
        const sha256 = createHash('sha256').update(s.stream).digest();
        if (s.modelMacs) await device.publishStatus(status(`${s.stream}-model`, sha256));
        const modelTag = sha256.readUInt32BE(0);
        await Promise.all(r.events.map((e) => device.publishEvent({ ...e, modelTag, label: 1, scoreQ: 90 })));
        // Out of order, and a third of them twice (QoS 1 re-delivery, a device re-send).
        const order = [...r.snapshots].reverse();
        await Promise.all(
          [...order, ...order.filter((_, i) => i % 3 === 0)].map((snap) => device.publishEnergy(wire(snap))),
        );
      } finally {
        await device.close();
      }
    }
  }, bootTimeout());

  afterAll(async () => {
    await platform?.stop();
  });

  const deviceRow = (hw: string) => report.groups.find((g) => g.groupBy === 'device' && g.key === deviceOf.get(hw))!;

  it('counts every snapshot once, across a reboot, with the expected verdicts', () => {
    expect(report.dataQuality).toMatchObject({
      snapshots: runs.reduce((a, r) => a + r.snapshots.length, 0),
      reboots: 1,
      resetsWithoutNewBoot: 0,
      devicesWithoutSnapshots: [],
    });
    expect(report.fleet.figures.devices).toBe(6);
    // soil-ble-a rebooted at 12 h: both boots' energy counts in full (sum of each boot's last counters)
    const a = runs[0]!;
    const lastOfBoot = (boot: number) => a.snapshots.filter((x) => x.bootId === boot).at(-1)!.counters;
    const boots = [...new Set(a.snapshots.map((x) => x.bootId))];
    const expectedUj = boots.reduce(
      (sum, b) =>
        sum +
        lastOfBoot(b).computeUj +
        lastOfBoot(b).sensingUj +
        lastOfBoot(b).sleepUj +
        lastOfBoot(b).radioTxUj +
        lastOfBoot(b).radioConnectUj,
      0,
    );
    expect(deviceRow('hw-soil-ble-a').figures.edgeTotalJ).toBeCloseTo(expectedUj / 1e6, 5);
    expect(deviceRow('hw-soil-ble-big').figures.verdict).toBe('edge-worse');
    expect(deviceRow('hw-soil-streamer').figures).toMatchObject({ verdict: 'no-difference', modes: { streaming: 1 } });
    expect(deviceRow('hw-soil-quiet').figures).toMatchObject({ events: 0, energyPerEventUj: null });
    expect(deviceRow('hw-gas-lora').figures.battery.edgeDays).toBeGreaterThan(
      deviceRow('hw-gas-lora').figures.battery.rawDays!,
    );
    expect(report.findings.join('\n')).toMatch(/WORSE/);
    expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity/);
  });

  it('groups events by model version with their energy per inference (accuracy: not available)', () => {
    const door = report.modelVersions.find((m) => m.modelId === 'doorbell-model')!;
    const run = runs.find((r) => r.spec.stream === 'doorbell')!;
    expect(door).toMatchObject({ modelVersion: '1.0.0', devices: 1, events: run.events.length, accuracyPct: null });
    expect(door.meanEnergyPerInferenceUj).toBeCloseTo(run.events[0]!.energyUj, 0);
    expect(report.groups.filter((g) => g.groupBy === 'modelVersion').map((g) => g.key)).toContain('soil-model@1.0.0');
  });

  it('CSV and JSON agree cell by cell', async () => {
    const res = await fetch(new URL('/api/energy/report?format=csv', platform.httpUrl));
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = (await res.text())
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(CSV_COLUMNS.map((c) => c.header));
    const json = reportRows(report);
    expect(rows.length - 1).toBe(json.length);
    const expected = json.map((row) => CSV_COLUMNS.map((c) => String(valueAt(row, c.path) ?? '')));
    expect(rows.slice(1)).toEqual(expected);
  });

  it('renders the HTML in headless Chromium with non-empty charts and no network access', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const url = new URL('/api/energy/report?format=html', platform.httpUrl).toString();
      await page.goto(url);
      expect(requests).toEqual([url]); // self-contained: no CSS, JS, font or image fetched
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((s) => ({
          kind: s.getAttribute('data-chart'),
          marks: s.querySelectorAll('rect, path, circle').length,
          width: s.getBoundingClientRect().width,
        })),
      );
      expect(charts.map((c) => c.kind)).toEqual(
        expect.arrayContaining(['split', 'battery', 'timeseries', 'whatif-radio', 'whatif-mcu']),
      );
      for (const c of charts) expect(c.marks).toBeGreaterThan(4);
      for (const c of charts) expect(c.width).toBeGreaterThan(300);
      expect(await page.textContent('body')).not.toMatch(/NaN|undefined/);
      const file = join(ARTIFACTS, 'energy-report.png');
      await page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(50_000);
      const split = await page.$('svg[data-chart="split"]');
      await split!.screenshot({ path: join(ARTIFACTS, 'energy-report-split.png') });
    } finally {
      await browser.close();
    }
  });

  it('filters by stream, and an empty range says so without NaN', async () => {
    const door = (await platform.api('GET', '/api/energy/report?stream=doorbell')).body as EnergyReport;
    expect(door.fleet.figures.devices).toBe(1);
    const empty = await platform.api('GET', '/api/energy/report?from=2031-01-01T00:00:00Z&to=2031-01-02T00:00:00Z');
    expect(empty.status).toBe(200);
    expect(empty.body.fleet.figures).toMatchObject({ devices: 0, verdict: 'no-data' });
    expect(empty.body.findings[0]).toMatch(/No energy snapshots/);
    const html = await platform.api('GET', '/api/energy/report?format=html&from=2031-01-01T00:00:00Z');
    expect(html.body).not.toMatch(/NaN/);
    // The second half of the day: diffed against the last snapshot before the range, not from boot.
    const half = (
      await platform.api(
        'GET',
        '/api/energy/report?from=2026-11-20T12:30:00Z&deviceId=' + deviceOf.get('hw-soil-ble-big'),
      )
    ).body as EnergyReport;
    const full = deviceRow('hw-soil-ble-big').figures;
    expect(half.fleet.figures.deviceDays).toBeCloseTo(full.deviceDays / 2, 1);
    expect(half.fleet.figures.edgeJoulesPerDay.total).toBeCloseTo(full.edgeJoulesPerDay.total, 1);
  });

  it('validates the query', async () => {
    expect((await platform.api('GET', '/api/energy/report?format=pdf')).status).toBe(400);
    expect((await platform.api('GET', '/api/energy/report?from=yesterday')).status).toBe(400);
    expect(
      (await platform.api('GET', '/api/energy/report?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z')).status,
    ).toBe(400);
    expect((await platform.api('GET', '/api/energy/report?colour=red')).status).toBe(400);
  });

  it('`tinyfleet energy report` writes HTML and CSV from the running platform', async () => {
    const out = join(ARTIFACTS, 'energy-report-cli.html');
    await run(process.execPath, [
      CLI,
      'energy',
      'report',
      '--format',
      'html',
      '--out',
      out,
      '--platform',
      platform.httpUrl,
    ]);
    expect(readFileSync(out, 'utf8')).toMatch(/<svg class="chart" data-chart="split"/);
    const { stdout } = await run(process.execPath, [
      CLI,
      'energy',
      'report',
      '--format',
      'csv',
      '--stream',
      'soil',
      '--platform',
      platform.httpUrl,
    ]);
    expect(stdout.split('\r\n')[0]).toBe(CSV_COLUMNS.map((c) => c.header).join(','));
  });
});

function status(modelId: string, sha256: Buffer): StatusV1 {
  return {
    timestampMs: Date.UTC(2026, 10, 20),
    firmwareVersion: '1.0.0',
    interpreterVersion: '0.1.0',
    uptimeS: 1,
    batteryPct: 100,
    batteryMv: 3000,
    activeSlot: 0,
    slots: [{ modelId, modelVersion: '1.0.0', sha256: new Uint8Array(sha256), sizeBytes: 20_000 }, null],
    bufferedEvents: 0,
    droppedEvents: 0,
  };
}

function wire(s: TestNodeRun['snapshots'][number]) {
  const c = s.counters as Record<string, number>;
  return {
    bootId: s.bootId,
    seq: s.seq,
    virtualTimeMs: s.virtualTimeMs,
    computeUj: c.computeUj!,
    radioTxUj: c.radioTxUj!,
    radioRxUj: c.radioRxUj!,
    radioConnectUj: c.radioConnectUj!,
    sensingUj: c.sensingUj!,
    sleepUj: c.sleepUj!,
    rawRadioUj: c.rawRadioUj!,
    bytesUp: c.bytesUp!,
    bytesDown: c.bytesDown!,
    rawBytesUp: c.rawBytesUp!,
    inferences: c.inferences!,
    events: c.events!,
    messagesUp: c.messagesUp!,
    rawMessagesUp: c.rawMessagesUp!,
    samples: c.samples!,
  };
}
