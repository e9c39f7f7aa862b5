/**
 * The simulated devices of `bench:ota` (ota.bench.ts), on the bench's main thread (LocalFleet) or
 * in worker threads (WorkerFleet, this file as the worker's entry), and what each records of its
 * OTA traffic while the rollout runs: raw sizes only, costed on the radio by the bench afterwards.
 */
import type { DeviceManifest } from '@tinyfleet/artifact';
import { decodeOtaStatusV1 } from '@tinyfleet/wire';
import { createPublicKey } from 'node:crypto';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { otaDevice, type OtaTestDevice } from '../../../test/support/ota-device';

/** What a host needs to bring its share of the fleet up (plain data: it crosses to worker threads). */
export interface FleetSpec {
  /** The fleet-wide index of hardwareIds[0]: device i registers at provisioningUrls[i mod n] and connects to deviceUrls[i mod n]. */
  firstIndex: number;
  provisioningUrls: string[];
  deviceUrls?: string[];
  claim: { claimId: string; claimSecret: string };
  hardwareIds: string[];
  initial: { bytes: Uint8Array; manifest: DeviceManifest };
  keyId: string;
  publicKeyPem: string;
}

/**
 * One device's OTA publishes both ways, as flat triples (payload bytes, topic bytes, 1 = up):
 * recorded raw and costed on the radio only after the rollout, so the measuring itself takes no
 * CPU from the devices while they work.
 */
export type AirLog = number[];

/** Per device: the time (ms since the epoch, comparable across threads) the platform acknowledged its SUCCEEDED report, i.e. had stored it. */
export type DoneAt = Array<number | null>;

/** Some of the simulated devices, on the main thread or in a worker thread. */
export interface DeviceHost {
  /** Registers and connects the devices; resolves with their ids. */
  start(spec: FleetSpec): Promise<string[]>;
  /** Forgets what was counted so far (registration traffic). */
  reset(): Promise<void>;
  air(): Promise<{ logs: AirLog[]; doneAt: DoneAt }>;
  close(): Promise<void>;
}

export class LocalFleet implements DeviceHost {
  private fleet: OtaTestDevice[] = [];
  private logs: AirLog[] = [];
  private doneAt: DoneAt = [];

  async start(spec: FleetSpec): Promise<string[]> {
    const trustedKeys = new Map([[spec.keyId, createPublicKey(spec.publicKeyPem)]]);
    for (let i = 0; i < spec.hardwareIds.length; i += 20) {
      const batch = await Promise.all(
        spec.hardwareIds.slice(i, i + 20).map((hw, j) => {
          const k = spec.firstIndex + i + j;
          return otaDevice(spec.provisioningUrls[k % spec.provisioningUrls.length]!, spec.claim, hw, {
            initial: spec.initial,
            trustedKeys,
            stream: 'kws',
            deviceUrl: spec.deviceUrls?.[k % spec.deviceUrls.length],
          });
        }),
      );
      this.fleet.push(...batch);
    }
    this.doneAt = this.fleet.map(() => null);
    this.logs = this.fleet.map((d, i) => recordAir(d, (at) => (this.doneAt[i] = at)));
    return this.fleet.map((d) => d.conn.deviceId);
  }

  async reset(): Promise<void> {
    for (const log of this.logs) log.length = 0;
    this.doneAt.fill(null);
  }

  async air(): Promise<{ logs: AirLog[]; doneAt: DoneAt }> {
    return { logs: this.logs, doneAt: this.doneAt };
  }

  async close(): Promise<void> {
    await Promise.all(this.fleet.map((d) => d.conn.close(true)));
  }
}

type ToWorker = { op: 'start'; spec: FleetSpec } | { op: 'reset' } | { op: 'air' } | { op: 'close' };
type FromWorker =
  | { op: 'start'; ids: string[] }
  | { op: 'reset' }
  | { op: 'air'; logs: AirLog[]; doneAt: DoneAt }
  | { op: 'close' }
  | { op: 'error'; message: string };

/** A LocalFleet in a worker thread (this same file, below; bin/register.js is inherited through execArgv). */
export class WorkerFleet implements DeviceHost {
  private readonly worker = new Worker(__filename);
  private pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;

  constructor() {
    this.worker.on('message', (m: FromWorker) => {
      const p = this.pending;
      this.pending = null;
      if (m.op === 'error') p?.reject(new Error(`device worker: ${m.message}`));
      else p?.resolve(m);
    });
    this.worker.on('error', (err) => this.pending?.reject(err));
  }

  async start(spec: FleetSpec): Promise<string[]> {
    const m = await this.ask({ op: 'start', spec });
    return m.op === 'start' ? m.ids : [];
  }

  async reset(): Promise<void> {
    await this.ask({ op: 'reset' });
  }

  async air(): Promise<{ logs: AirLog[]; doneAt: DoneAt }> {
    const m = await this.ask({ op: 'air' });
    return m.op === 'air' ? m : { logs: [], doneAt: [] };
  }

  async close(): Promise<void> {
    await this.ask({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private ask(m: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(m);
    });
  }
}

function serveDeviceWorker(): void {
  const fleet = new LocalFleet();
  parentPort!.on('message', (m: ToWorker) => {
    const reply = (r: Promise<FromWorker>) =>
      r.then(
        (out) => parentPort!.postMessage(out),
        (err: unknown) =>
          parentPort!.postMessage({
            op: 'error',
            message: err instanceof Error ? (err.stack ?? err.message) : String(err),
          } satisfies FromWorker),
      );
    if (m.op === 'start') void reply(fleet.start(m.spec).then((ids) => ({ op: 'start', ids })));
    else if (m.op === 'reset') void reply(fleet.reset().then(() => ({ op: 'reset' })));
    else if (m.op === 'air') void reply(fleet.air().then((a) => ({ op: 'air', ...a })));
    else void reply(fleet.close().then(() => ({ op: 'close' })));
  });
}

/** Records a device's OTA publishes both ways (see AirLog), and when the platform acknowledged its SUCCEEDED report. */
function recordAir(d: OtaTestDevice, succeeded: (atMs: number) => void): AirLog {
  const log: AirLog = [];
  const ota = (topic: string) => topic.includes('/ota-');
  let succeededMessageId: number | undefined;
  d.conn.client.on('packetreceive', (p) => {
    if (p.cmd === 'publish' && ota(p.topic)) log.push((p.payload as Buffer).length, p.topic.length, 0);
    else if (p.cmd === 'puback' && p.messageId === succeededMessageId)
      succeeded(performance.timeOrigin + performance.now());
  });
  d.conn.client.on('packetsend', (p) => {
    if (p.cmd !== 'publish' || !ota(p.topic)) return;
    log.push((p.payload as Buffer).length, p.topic.length, 1);
    if (p.topic.endsWith('/ota-status') && decodeOtaStatusV1(p.payload as Buffer).state === 'SUCCEEDED')
      succeededMessageId = p.messageId;
  });
  return log;
}

if (!isMainThread) serveDeviceWorker();
