import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FleetHost } from '../device-sim/src/fleet/fleet-host';
import { planFleet } from '../device-sim/src/fleet/fleet-plan';
import { FakeClock } from '../device-sim/src/node/node-ports';
import { DashboardBrowser, openDashboard } from './support/dashboard-browser';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

const DATA_DIR = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '..', '..', 'shared');
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 2);

/**
 * The doorbell's evidence in a real browser: off by default, switched on by the operator's request
 * (a daily budget), then a frame comes back over MQTT, is shown in the Evidence view as the PNG the
 * platform renders from the stored pixels, and is labelled there. Headless Chromium, PostgreSQL,
 * embedded MQTT, a simulated doorbell running TFLM's person_detect on real VWW frames.
 */
describe('Evidence view (headless Chromium, doorbell frames)', () => {
  let platform: TestPlatform;
  let host: FleetHost;
  let ui: DashboardBrowser;
  let tmp: string;
  const clock = new FakeClock(T0);

  const live = async (virtualMs: number) => {
    for (let t = 0; t < virtualMs; t += 5 * MIN) {
      clock.advance(5 * MIN);
      host.tick();
      await new Promise((r) => setImmediate(r));
    }
  };

  beforeAll(
    async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-evidence-ui-'));
      platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', EVIDENCE_TICK_MS: '0' });
      const claim = await platform.createClaim({ rateLimitPerMinute: 10_000 });
      host = new FleetHost({
        mqttUrl: platform.mqttUrl,
        claim,
        clock,
        dataDir: DATA_DIR,
        stateDir: path.join(tmp, 'sim'),
        modelCacheDir: path.join(tmp, 'models'), // empty: the doorbell runs person_detect
        connectConcurrency: 1,
        doorbellMaxFrames: 6,
        doorbellMeanMotionIntervalMs: 10 * MIN,
      });
      host.add(planFleet('evui', 1, 'doorbell:1'));
      await host.start();
      await live(30 * MIN);
      ui = await openDashboard(platform.httpUrl);
    },
    bootTimeout(1, 120_000),
  );

  afterAll(async () => {
    await ui?.close();
    await host?.stop();
    await platform?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('switches the camera on with a budget, shows the frame it sends, and labels it', async () => {
    const door = host.nodes[0]!;
    const modelTag = door.node.slots.activeModel!.artifact.modelTag;
    const ask = (body: Record<string, unknown>) =>
      platform.api('POST', '/api/evidence/requests', {
        modelTag,
        selector: 'any',
        maxWindows: 1,
        maxBytes: 20_000,
        deadlineS: 86_400,
        ...body,
      });
    const answer = async (id: number) =>
      (await platform.api('GET', `/api/evidence/requests/${id}`)).body.devices[0] as {
        state: string;
        reason: string | null;
        windowsStored: number;
        windowCount: number;
      };
    const settle = async (id: number, done: (d: Awaited<ReturnType<typeof answer>>) => boolean) => {
      let d = await answer(id);
      for (let i = 0; i < 24 && !done(d); i++) {
        await live(5 * MIN);
        d = await waitUntil(() => answer(id), done, 500);
      }
      return d;
    };

    // The budget arrives with the first request; the ring is empty until frames come after it.
    const enable = await ask({ dailyBudgetBytes: 50_000 });
    expect(enable.status).toBe(201);
    expect(await settle(enable.body.id, (d) => d.state !== 'requested')).toMatchObject({
      state: 'declined',
      reason: 'no-match',
    });
    await live(60 * MIN);
    const second = await ask({});
    const got = await settle(second.body.id, (d) => d.state === 'done' && d.windowsStored === d.windowCount);
    expect(got).toMatchObject({ state: 'done', windowCount: 1, windowsStored: 1 });
    const [w] = (await platform.api('GET', `/api/evidence/windows?requestId=${second.body.id}`)).body;
    expect(w).toMatchObject({ format: 'u8', samples: 1, valuesPerSample: 9216, imageWidth: 96 });

    const page = ui.page;
    await page.goto(`${platform.httpUrl}/#/evidence`);
    await page.getByRole('button', { name: `Show ${w.id}` }).click();
    const img = page.getByRole('img', { name: new RegExp(`^Frame ${w.id} from ${w.deviceId}: 96 × 96 grey pixels`) });
    await img.waitFor();
    // The PNG decoded in the browser: its pixels are the frame's size.
    await page.waitForFunction((id) => {
      const el = Array.from(document.images).find((i) => i.alt.startsWith(`Frame ${id} `));
      return !!el && el.complete && el.naturalWidth === 96 && el.naturalHeight === 96;
    }, w.id);
    // Labelled from the frame's ground truth (standing in for a person looking at it); person_detect is
    // not in the registry, so the label is free text.
    const truth = door.node.truth.entries().find((e) => e.virtualTimeMs === Date.parse(w.deviceTime))!;
    const label = door.node.stream.labels[truth.trueLabel]!;
    await page.getByLabel('Label').fill(label);
    await page.getByRole('button', { name: 'Save label' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Window ${w.id}: ${label}` })
      .waitFor();
    expect((await platform.api('GET', `/api/evidence/windows/${w.id}`)).body.operatorLabel).toBe(label);
    await ui.screenshot('evidence');
    expect(ui.problems).toEqual([]);
  }, 240_000);
});
