import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { event, registerDevice } from './support/devices';
import { freePort } from './support/free-port';
import { spawnPlatform, waitForExit } from './support/platform-process';
import { itBooting } from './support/wait';

/**
 * No loss, no duplicates across a crash: the platform (embedded default: PGlite + aedes) is killed
 * with SIGKILL while a device streams QoS 1 events, then started again on the same ports and data
 * folder. The device re-sends what was never acknowledged; every event is stored exactly once.
 */
describe('ingest survives kill -9 mid-stream (embedded default)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  itBooting(2, 'stores every event exactly once', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const env = { PORT: String(httpPort), MQTT_PORT: String(mqttPort), TINYFLEET_DATA_DIR: dataDir };
    const http = `http://127.0.0.1:${httpPort}`;
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    let platform = await spawnPlatform(env);
    let device: DeviceConnection | undefined;
    try {
      const claim = await (
        await fetch(`${http}/api/claims`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'crash' }),
        })
      ).json();
      device = await registerDevice(
        { mqttUrl, provisioningUrl: mqttUrl },
        { claimId: claim.id, claimSecret: claim.secret },
        'hw-crash',
      );
      device.client.options.reconnectPeriod = 200;

      const total = 3000;
      const window = 64;
      let next = 0;
      let acked = 0;
      let killed = false;
      let onKill!: () => void;
      const killedNow = new Promise<void>((resolve) => (onKill = resolve));
      const sender = async (): Promise<void> => {
        while (next < total) {
          const seq = next++;
          await device!.publishEvent(event(seq));
          acked++;
          if (!killed && acked >= 800) {
            killed = true;
            platform.kill('SIGKILL');
            onKill();
          }
        }
      };
      const senders = Promise.all(Array.from({ length: window }, sender));
      // restart as soon as the old process is gone; the device reconnects by itself
      await Promise.race([killedNow, senders]);
      await waitForExit(platform);
      const ackedAtKill = acked;
      platform = await spawnPlatform(env);
      await senders;

      expect(ackedAtKill).toBeLessThan(total); // the crash really happened mid-stream
      const res = await (await fetch(`${http}/api/devices/${device.deviceId}`)).json();
      expect(res).toMatchObject({ eventsCount: total, lastEventSeq: total - 1 });
      // page through every stored event: each sequence number exactly once
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page: Array<{ seq: number }> = await (
          await fetch(
            `${http}/api/devices/${device.deviceId}/events?limit=1000${before === undefined ? '' : `&beforeSeq=${before}`}`,
          )
        ).json();
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.seq));
        before = page[page.length - 1]!.seq;
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    } finally {
      await device?.close(true);
      platform.kill('SIGTERM');
      await waitForExit(platform);
    }
  });
});

/** The embedded database's process, among the platform's children (its command line names pglite-server). */
function pgliteChildOf(platformPid: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === platformPid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('pglite-server'))
        return Number(name);
    } catch {
      // exited while we looked
    }
  }
  return undefined;
}

/**
 * The embedded database's process dies under a running platform (kill -9 here; a crash or the OOM
 * killer in life): the platform says so and exits non-zero, instead of serving requests that hang.
 */
describe('the embedded database process dies', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-pglite-death-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  itBooting(1, 'the platform reports it and exits with code 1', async () => {
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    const platform = await spawnPlatform({
      PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      TINYFLEET_DATA_DIR: dataDir,
    });
    try {
      let stderr = '';
      platform.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const exit = new Promise<number | null>((resolve) => platform.once('exit', (code) => resolve(code)));
      const pglite = pgliteChildOf(platform.pid!);
      expect(pglite).toBeDefined();
      process.kill(pglite!, 'SIGKILL');
      expect(await exit).toBe(1);
      expect(stderr).toMatch(/embedded database \(PGlite, process \d+\) exited unexpectedly \(SIGKILL\)/);
      expect(stderr).toContain(`Its data in ${dataDir}`);
    } finally {
      platform.kill('SIGKILL');
      await waitForExit(platform);
    }
  });
});
