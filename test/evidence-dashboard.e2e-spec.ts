import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planFleet } from '../device-sim/src/fleet/fleet-plan';
import { DashboardBrowser, openDashboard } from './support/dashboard-browser';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { MIN_MS as MIN, startVirtualFleet, VirtualFleet } from './support/virtual-fleet';
import { bootTimeout, waitUntil } from './support/wait';

const T0 = Date.UTC(2026, 10, 2);

/**
 * The doorbell's evidence in a real browser: off by default, switched on by the operator's request
 * (a daily budget), then a frame comes back over MQTT, is shown in the Evidence view as the PNG the
 * platform renders from the stored pixels, and is labelled there. Headless Chromium, PostgreSQL,
 * embedded MQTT, a simulated doorbell running TFLM's person_detect on real VWW frames.
 */
describe('Evidence view (headless Chromium, doorbell frames)', () => {
  let platform: TestPlatform;
  let fleet: VirtualFleet;
  let ui: DashboardBrowser;
  let tmp: string;

  beforeAll(
    async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-evidence-ui-'));
      platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', EVIDENCE_TICK_MS: '0' });
      fleet = await startVirtualFleet(platform, {
        t0Ms: T0,
        tmpDir: tmp, // no models/: the doorbell runs person_detect
        nodes: planFleet('evui', 1, 'doorbell:1'),
        connectConcurrency: 1,
        doorbellMaxFrames: 6,
        doorbellMeanMotionIntervalMs: 10 * MIN,
      });
      await fleet.live(30 * MIN);
      ui = await openDashboard(platform.httpUrl);
    },
    bootTimeout(1, 120_000),
  );

  afterAll(async () => {
    await ui?.close();
    await fleet?.stop();
    await platform?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('switches the camera on with a budget, shows the frame it sends, and labels it', async () => {
    const door = fleet.host.nodes[0]!;
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
        await fleet.live(5 * MIN);
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
    await fleet.live(60 * MIN);
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
