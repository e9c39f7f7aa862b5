import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { INTERPRETER_VERSION } from '@tinyfleet/tinyml';
import { statSync } from 'node:fs';
import { Client } from 'pg';
import type { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../device-sim/src/mqtt/provision-by-claim';
import { runTestNode, TEST_FLEET } from '../apps/platform/src/energy/energy-report.fixtures';
import { helloWorldVariant, newSigningKey, referenceFile, signedArtifact, TestArtifact } from './support/artifacts';
import { DashboardBrowser, openDashboard } from './support/dashboard-browser';
import { provisionRequest, registerDevice } from './support/devices';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import type { DatabaseKind } from './support/test-database';
import { bootTestPlatform, TestPlatform } from './support/test-platform';

// The real PostgreSQL of the test machine boots in ~2 s, embedded PGlite in ~15 s: the views are
// the same on both (TEST_DASHBOARD_DB=pglite runs this file on PGlite).
const DB = (process.env.TEST_DASHBOARD_DB ?? 'postgres') as DatabaseKind;
import { DeviceConnection as Conn } from '../device-sim/src/mqtt/device-connection';
import { bootTimeout } from './support/wait';

/**
 * The operator dashboard in headless Chromium against a real platform (PostgreSQL, embedded
 * MQTT, the OTA scheduler ticking by itself) with a few real MQTT devices: OTA-capable nodes on a
 * signed model, and energy nodes publishing a day of ledger snapshots. Everything the page shows
 * comes from the API and the live stream; screenshots land in test-artifacts/dashboard/.
 */
describe('operator dashboard (headless Chromium)', () => {
  let platform: TestPlatform;
  let ui: DashboardBrowser;
  let key: SigningKey;
  let v1: TestArtifact;
  let v2: TestArtifact;
  const ota: OtaTestDevice[] = [];
  const others: DeviceConnection[] = [];

  beforeAll(async () => {
    platform = await bootTestPlatform(DB);
    key = newSigningKey();
    const base = {
      key,
      recipe: 'soil',
      selfTestInput: referenceFile('hello_world_int8', 'test_inputs', 'x_1.57_q-63.bin'),
      selfTestOutput: referenceFile('hello_world_int8', 'expected', 'x_1.57_q-63.out.bin'),
    };
    v1 = signedArtifact({ ...base, name: 'hello', version: '1.0.0', model: helloWorldVariant('dash v1') });
    v2 = signedArtifact({ ...base, name: 'hello', version: '2.0.0', model: helloWorldVariant('dash v2') });
    expect(
      (
        await platform.api('POST', '/api/keys', {
          name: 'dashboard test key',
          publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        })
      ).status,
    ).toBe(201);
    for (const a of [v1, v2]) expect((await platform.api('POST', '/api/models', a.upload)).status).toBe(201);
    const claim = await platform.createClaim();
    const trustedKeys = new Map([[key.keyId, key.publicKey]]);
    for (let i = 0; i < 3; i++)
      ota.push(
        await otaDevice(platform.mqttUrl, claim, `dash-ota-${i}`, {
          initial: { bytes: v1.model, manifest: v1.deviceManifest },
          trustedKeys,
          interpreterVersion: INTERPRETER_VERSION,
        }),
      );
    // Energy nodes: a day of hourly ledger snapshots each (the energy report's own fixtures).
    // In fleet order (not registration order): others[0] is hw-soil-ble-a, which has events.
    others.push(
      ...(await Promise.all(
        TEST_FLEET.slice(0, 4).map(async (spec) => {
          const run = runTestNode(spec);
          const res = await provisionByClaim(
            platform.mqttUrl,
            claim,
            provisionRequest(spec.hardwareId, {
              mcuProfile: spec.mcu,
              radioProfile: spec.radio,
              sensorStream: spec.stream,
            }),
          );
          if (res.status === 'refused' || !res.deviceSecret)
            throw new Error(`registration failed: ${JSON.stringify(res)}`);
          const device = await Conn.open(platform.mqttUrl, { deviceId: res.deviceId, secret: res.deviceSecret });
          await Promise.all(
            run.events.slice(0, 20).map((e) => device.publishEvent({ ...e, modelTag: 1, label: 1, scoreQ: 90 })),
          );
          await Promise.all(
            run.snapshots.map((s) => {
              const c = s.counters as unknown as Record<string, number>;
              return device.publishEnergy({
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
              });
            }),
          );
          return device;
        }),
      )),
    );
    ui = await openDashboard(platform.httpUrl);
  }, bootTimeout());

  afterAll(async () => {
    await ui?.close();
    await Promise.all([...ota.map((d) => d.conn.close(true)), ...others.map((d) => d.close(true))]);
    await platform?.stop();
  });

  it('serves the page and its libraries itself, and fills the fleet table from the API', async () => {
    const { page } = ui;
    await page.goto(`${platform.httpUrl}/`);
    await page.locator('table[aria-label="Devices"] tbody tr[data-device]').nth(6).waitFor();
    expect(await page.locator('table[aria-label="Devices"] tbody tr[data-device]').count()).toBe(7);
    await page.locator('[data-testid="devices-total"] .v', { hasText: '7' }).waitFor();
    await page.locator('#live-state[data-state="live"]').waitFor();
    expect(await page.locator('[data-testid="page-range"]').textContent()).toBe('1–7 of 7');
    // Sorting goes through the API: by id ascending, the first row is the smallest id.
    await page.getByRole('button', { name: /^Device/ }).click();
    const ids = (await platform.api('GET', '/api/devices?sort=id&order=asc&limit=1')).body.items;
    await page.locator('table[aria-label="Devices"] tbody tr').first().locator(`a:text-is("${ids[0].id}")`).waitFor();
    await ui.screenshot('fleet');
  });

  it('shows a new device live, without a reload', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: /^Registered/ }).click(); // newest first
    const claim = await platform.createClaim();
    const fresh = await registerDevice(platform, claim, 'dash-newcomer');
    others.push(fresh);
    await page.locator(`tr[data-device="${fresh.deviceId}"]`).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="devices-total"] .v', { hasText: '8' }).waitFor();
    await page
      .locator(`tr[data-device="${fresh.deviceId}"] .badge`, { hasText: 'ONLINE' })
      .waitFor({ timeout: 10_000 });
  });

  it('a device page shows its events live', async () => {
    const { page } = ui;
    const dev = ota[0]!;
    await page.locator(`a[href="#/device/${dev.conn.deviceId}"]`).first().click();
    await page.locator('h1', { hasText: `Device ${dev.conn.deviceId}` }).waitFor();
    await page.locator('table[aria-label="Model slots"] td', { hasText: 'hello' }).first().waitFor();
    for (let seq = 1; seq <= 12; seq++)
      await dev.conn.publishEvent({
        seq,
        timestampMs: Date.now() - (12 - seq) * 1000,
        modelTag: parseInt(v1.manifest.model.sha256.slice(0, 8), 16),
        label: seq % 2,
        scoreQ: 40 + seq * 5,
        latencyUs: 900 + seq * 10,
        energyUj: 30,
      });
    const rows = page.locator('[data-testid="events-table"] tbody tr');
    await rows.first().locator('td', { hasText: /^12$/ }).waitFor({ timeout: 10_000 });
    expect(await rows.count()).toBe(12);
    expect(await rows.first().textContent()).toContain('hello@1.0.0');
    await ui.screenshot('device');
  });

  it('creates a rollout from the page, follows its progress, and pauses it after confirmation', async () => {
    const { page } = ui;
    await page.locator('#nav a', { hasText: 'Rollouts' }).click();
    const form = page.locator('form', { has: page.getByRole('button', { name: 'Create and start rollout' }) });
    await form.waitFor();
    // Validation first: nothing filled in.
    await page.getByLabel('Name').fill('');
    await page.getByRole('button', { name: 'Create and start rollout' }).click();
    await page.locator('[data-testid="rollout-errors"]', { hasText: 'Choose the model' }).waitFor();
    await page.getByLabel('Name').fill('hello v2 from the dashboard');
    await page.getByLabel('Model', { exact: true }).selectOption('hello@2.0.0');
    await page.getByLabel('Device ids').fill(ota.map((d) => d.conn.deviceId).join(', '));
    await page.getByLabel('Groups').fill('1, 100%');
    await page.getByLabel('Error threshold (%)').fill('50');
    // A long soak keeps the first group under watch (RUNNING) once its device has updated.
    await page.getByLabel('Soak time (s)').fill('600');
    await page.getByLabel('Max score shift (q)').fill('20');
    await page.getByRole('button', { name: 'Create and start rollout' }).click();
    await page.locator('.notice', { hasText: /Rollout #\d+ created with 3 device/ }).waitFor();
    const card = page.locator('article.rollout').first();
    await card.locator('.group[data-group="0"]', { hasText: '1/1 succeeded' }).waitFor({ timeout: 20_000 });
    await card.locator('.badge', { hasText: 'RUNNING' }).first().waitFor();
    await ui.screenshot('rollout-running');
    await card.getByRole('button', { name: 'Pause' }).click();
    await page.locator('#confirm-dialog[open]').waitFor();
    await page.locator('#confirm-ok').click();
    await card.locator('header .badge', { hasText: 'PAUSED' }).waitFor({ timeout: 10_000 });
    expect(await card.getByRole('button', { name: 'Resume' }).isEnabled()).toBe(true);
    expect(await card.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    const id = Number((await card.locator('h3').textContent())!.match(/#(\d+)/)![1]);
    expect((await platform.api('GET', `/api/rollouts/${id}`)).body.state).toBe('PAUSED');
    await ui.screenshot('rollout-paused');
    // The device page lists the job with its transitions.
    const updated = ota.find((d) => d.slots.activeSha256Hex() === v2.manifest.model.sha256)!;
    expect(updated).toBeDefined();
    await page.goto(`${platform.httpUrl}/#/device/${updated.conn.deviceId}`);
    await page.locator('ol.timeline li', { hasText: 'SUCCEEDED' }).waitFor();
  });

  it('models view shows sizes and compatibility per MCU', async () => {
    const { page } = ui;
    await page.goto(`${platform.httpUrl}/#/models`);
    await page.locator('table[aria-label="Model versions"] tbody tr').nth(1).waitFor();
    expect(
      await page.locator('table[aria-label="Model compatibility per MCU profile"] td.fit-yes').count(),
    ).toBeGreaterThan(0);
    await ui.screenshot('models');
  });

  it('the energy view draws its charts from the report', async () => {
    const { page } = ui;
    await page.goto(`${platform.httpUrl}/#/energy`);
    await page.locator('.chart canvas').nth(3).waitFor();
    const drawn = await page.evaluate(() =>
      Object.values(
        (
          window as unknown as {
            Chart: { instances: Record<string, { data: { datasets: Array<{ data: unknown[] }> } }> };
          }
        ).Chart.instances,
      ).map((c) =>
        c.data.datasets.reduce((n, d) => n + d.data.filter((x) => typeof x === 'number' && x > 0).length, 0),
      ),
    );
    expect(drawn).toHaveLength(4);
    for (const n of drawn) expect(n).toBeGreaterThan(0);
    await ui.screenshot('energy');
    // A filter narrows the report.
    await page.getByLabel('Compare by').selectOption('radioProfile');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('.chart canvas').nth(3).waitFor();
    // An energy node's own page splits its energy by part.
    await page.goto(`${platform.httpUrl}/#/device/${others[0]!.deviceId}`);
    await page.locator('canvas[aria-label^="Energy split: radio"]').waitFor();
    await page.locator('[data-testid="events-table"] tbody tr').first().waitFor();
    await ui.screenshot('device-energy');
  });

  it('pages, sorts (by keyboard) and searches thousands of devices through the API', async () => {
    const { page } = ui;
    // Bulk rows straight into the database: the point is the table's behaviour with a big fleet.
    const db = new Client({ connectionString: platform.databaseUrl });
    await db.connect();
    try {
      await db.query(`
        INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version, lifecycle, connectivity, secret_hash, broker_hash, events_count, last_seen_at)
        SELECT 'bulk-' || lpad(i::text, 5, '0'), 'hw-bulk-' || i, (ARRAY['nrf52840','stm32l4r5','esp32-s3','rp2040'])[1 + i % 4], 'lora-sf9',
               (ARRAY['soil','gas','vibration'])[1 + i % 3], '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'x', i % 97, now() - make_interval(secs => i)
        FROM generate_series(1, 3000) AS i`);
    } finally {
      await db.end();
    }
    await page.goto(`${platform.httpUrl}/#/fleet`);
    await page.locator('[data-testid="page-range"]', { hasText: '1–50 of 3,008' }).waitFor();
    await page.locator('[data-testid="devices-total"] .v', { hasText: '3,008' }).waitFor();
    // The last page is one request for its rows (paging happens in the API), not the whole fleet.
    const lastPage = page.waitForResponse((r) => /\/api\/devices\?.*offset=3000/.test(r.url()));
    await page.getByRole('button', { name: 'Last »' }).click();
    expect(((await (await lastPage).json()) as { items: unknown[] }).items).toHaveLength(8);
    await page.locator('[data-testid="page-range"]', { hasText: '3,001–3,008 of 3,008' }).waitFor();
    expect(await page.locator('table[aria-label="Devices"] tbody tr').count()).toBe(8);
    // Keyboard only: focus the Events column's sort button and press Enter (most events first).
    await page.getByRole('button', { name: /^Events/ }).focus();
    await page.keyboard.press('Enter');
    await page.locator('th[aria-sort="descending"]', { hasText: 'Events' }).waitFor();
    await page.locator('table[aria-label="Devices"] tbody tr').first().locator('td.num', { hasText: /^96$/ }).waitFor();
    await page.getByLabel('Search').fill('bulk-0150');
    await page.locator('[data-testid="page-range"]', { hasText: '1–10 of 10' }).waitFor();
    await page.getByRole('combobox', { name: 'MCU profile' }).selectOption('esp32-s3');
    await page.locator('[data-testid="page-range"]', { hasText: /of [1-9]$/ }).waitFor();
    for (const mcu of await page.locator('table[aria-label="Devices"] tbody tr td:nth-child(4)').allTextContents())
      expect(mcu).toBe('esp32-s3');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('[data-testid="page-range"]', { hasText: 'of 3,008' }).waitFor();
  });

  it('works at 375 px wide, and nothing went wrong on the way', async () => {
    const { page } = ui;
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${platform.httpUrl}/#/fleet`);
    await page.locator('table[aria-label="Devices"] tbody tr[data-device]').first().waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const shot = await ui.screenshot('fleet-375');
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(ui.problems).toEqual([]);
  });
});

describe('operator dashboard behind an API token', () => {
  const TOKEN = 'dashboard-test-token-0123456789';
  let platform: TestPlatform;
  let ui: DashboardBrowser;

  beforeAll(async () => {
    platform = await bootTestPlatform(DB, { API_TOKEN: TOKEN });
    ui = await openDashboard(platform.httpUrl, { width: 900, height: 700 });
  }, bootTimeout());
  afterAll(async () => {
    await ui?.close();
    await platform?.stop();
  });

  it('asks for the token once, keeps it for the tab, and sends it (live stream included)', async () => {
    const { page } = ui;
    await page.goto(`${platform.httpUrl}/`);
    await page.locator('#token-dialog[open]').waitFor();
    await ui.screenshot('token-prompt');
    await page.getByLabel('API_TOKEN').fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('table[aria-label="Devices"] td', { hasText: 'No device matches.' }).waitFor();
    await page.locator('#live-state[data-state="live"]').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('tinyfleet.apiToken'))).toBe(TOKEN);
    // A device registering now shows up through the authenticated stream.
    const device = await registerDevice(platform, await createClaim(), 'token-newcomer');
    await page.locator(`tr[data-device="${device.deviceId}"]`).waitFor({ timeout: 10_000 });
    await device.close(true);
    await page.reload();
    await page.locator(`tr[data-device="${device.deviceId}"]`).waitFor();
    expect(await page.locator('#token-dialog[open]').count()).toBe(0);
    // Only the first requests, before the token was given, were refused.
    expect(ui.problems.filter((p) => !p.startsWith('401 ') && !p.includes('status of 401'))).toEqual([]);
  });

  async function createClaim() {
    const res = await fetch(`${platform.httpUrl}/api/claims`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ name: 'token test' }),
    });
    const body = (await res.json()) as { id: string; secret: string };
    return { claimId: body.id, claimSecret: body.secret };
  }
});
