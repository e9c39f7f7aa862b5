import {
  decodeDeviceConfigV1,
  DeviceConfigV1,
  deviceDownlinkTopic,
  DownlinkKind,
  deviceUplinkTopic,
  parseTopic,
  ProvisionRequestV1,
  UplinkKind,
} from '@tinyfleet/wire';
import type { IdentityStore, StoredIdentity } from '../identity/identity-store';
import type { NodeUplink } from '../node/node-ports';
import { DeviceConnection } from './device-connection';
import { ClaimCredential, provisionByClaim, ProvisioningError } from './provision-by-claim';

/** Sees every payload at the node's publish layer (kind and size), for tests and the wire report. */
export type WireTap = (kind: UplinkKind, payload: Uint8Array) => void;

export interface MqttNodeLinkEvents {
  up(): void;
  down(): void;
  config(config: DeviceConfigV1, payloadBytes: number): void;
  ota(kind: Exclude<DownlinkKind, 'config' | 'evidence-request'>, payload: Uint8Array): void;
  evidence(payload: Uint8Array): void;
}

/**
 * A node's real MQTT.js session (one TCP connection per node): registers by claim on first boot (the
 * identity is kept in the IdentityStore and reused on later runs), then holds a persistent session.
 * Reconnects with jittered backoff. `setInRange(false)` simulates the radio losing its gateway: the
 * connection is dropped and not retried until back in range.
 */
export class MqttNodeLink implements NodeUplink {
  private conn: DeviceConnection | null = null;
  private identity: StoredIdentity | null = null;
  private inRange = true;
  private stopped = false;
  private connecting = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoffMs = 500;
  connected = false;
  generation = 0;
  /** Why the node could not register or connect last time (for the summary). */
  lastError: string | null = null;
  /** Refusals the node retried after, by reason: registration (`overloaded`, `rate-limited`) and CONNACK 3 (`server-unavailable`). */
  readonly refusals: Record<string, number> = {};
  /**
   * Attempts to register or connect that failed without a refusal, by kind (`provisioning-timeout`,
   * `connack-timeout`, `error`): in a boot storm these are waits the refusal counts do not show.
   */
  readonly failures: Record<string, number> = {};
  /** Real time (Date.now()) the node first held an identity and first connected; null until then. */
  registeredAtMs: number | null = null;
  connectedAtMs: number | null = null;

  constructor(
    private readonly endpoints: { mqttUrl: string; provisioningUrl: string },
    private readonly claim: ClaimCredential,
    private readonly request: ProvisionRequestV1,
    private readonly store: IdentityStore,
    private readonly events: MqttNodeLinkEvents,
    private readonly tap?: WireTap,
  ) {}

  get deviceId(): string | null {
    return this.identity?.deviceId ?? null;
  }

  topicBytes(kind: UplinkKind): number {
    // Before registration the id is unknown; device ids from the platform have a fixed shape, so use
    // the stored one or a same-length placeholder (only sizes the raw counterfactual's topic).
    return deviceUplinkTopic(this.identity?.deviceId ?? 'dev-00000000000000', kind).length;
  }

  downlinkTopicBytes(kind: DownlinkKind): number {
    return deviceDownlinkTopic(this.identity?.deviceId ?? 'dev-00000000000000', kind).length;
  }

  /** Register (or reuse the stored identity) and connect. Resolves once connected or given up. */
  async start(): Promise<void> {
    await this.connect();
  }

  setInRange(inRange: boolean): void {
    this.inRange = inRange;
    if (!inRange) {
      const c = this.conn;
      this.conn = null;
      if (c) void c.close(true).catch(() => undefined);
      this.markDown();
    } else if (!this.connected) {
      void this.connect();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.conn;
    this.conn = null;
    this.connected = false;
    if (c) await c.close(true).catch(() => undefined);
  }

  deviceSecret(): string | null {
    return this.identity?.secret ?? null;
  }

  publish(kind: UplinkKind, payload: Uint8Array): Promise<unknown> {
    if (!this.conn || !this.connected) return Promise.reject(new Error('not connected'));
    this.tap?.(kind, payload);
    return this.conn.publishEncoded(kind, payload);
  }

  private async register(): Promise<StoredIdentity> {
    const previous = this.store.load(this.request.hardwareId);
    for (let refusedInARow = 0; ; refusedInARow++) {
      const res = await provisionByClaim(this.endpoints.provisioningUrl, this.claim, this.request);
      if (res.status === 'refused') {
        if (RETRYABLE_REFUSALS.has(res.reason) && res.retryAfterS !== null && !this.stopped) {
          this.refusals[res.reason] = (this.refusals[res.reason] ?? 0) + 1;
          await sleep(retryDelayMs(res.retryAfterS, refusedInARow));
          continue;
        }
        throw new ProvisioningError(`registration refused: ${res.reason}`);
      }
      const secret = res.deviceSecret ?? (previous?.deviceId === res.deviceId ? previous.secret : null);
      if (!secret) throw new ProvisioningError('platform reused the identity without a secret, and none is stored');
      const rec: StoredIdentity = {
        hardwareId: this.request.hardwareId,
        deviceId: res.deviceId,
        secret,
        mqttUrl: this.endpoints.mqttUrl,
        seqFloor: Math.max(previous?.seqFloor ?? 0, this.store.takePendingFloor(this.request.hardwareId)),
      };
      this.store.save(rec);
      this.registeredAtMs ??= Date.now();
      return rec;
    }
  }

  private async connect(): Promise<void> {
    if (this.connecting || this.stopped || !this.inRange) return;
    this.connecting = true;
    try {
      if (!this.identity) {
        // A stored identity is tried even if it was issued via another broker URL (a platform on a new
        // port is still the same platform); a refusal below leads to registering again.
        this.identity = this.store.load(this.request.hardwareId) ?? (await this.register());
        this.registeredAtMs ??= Date.now();
      }
      let conn: DeviceConnection;
      try {
        conn = await DeviceConnection.open(this.endpoints.mqttUrl, this.identity, { reconnectPeriod: 0 });
      } catch (err) {
        if (!/Not authorized|Bad username or password/i.test((err as Error).message)) throw err;
        // The stored secret is no longer valid (platform reset, or replaced): register again.
        this.identity = await this.register();
        conn = await DeviceConnection.open(this.endpoints.mqttUrl, this.identity, { reconnectPeriod: 0 });
      }
      if (this.stopped || !this.inRange) {
        await conn.close(true);
        return;
      }
      this.conn = conn;
      conn.client.on('message', (topic, payload) => {
        const parsed = parseTopic(topic);
        if (parsed?.scope !== 'device' || parsed.direction !== 'down' || parsed.deviceId !== conn.deviceId) return;
        const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
        if (parsed.kind === 'evidence-request') return this.events.evidence(bytes);
        if (parsed.kind !== 'config') return this.events.ota(parsed.kind, bytes);
        try {
          this.events.config(decodeDeviceConfigV1(payload), payload.length);
        } catch {
          // a malformed config is ignored; the node keeps its current one
        }
      });
      conn.client.on('close', () => {
        if (this.conn !== conn) return;
        this.conn = null;
        this.markDown();
        this.scheduleReconnect();
      });
      conn.client.on('error', () => undefined); // 'close' follows; handled there
      this.connected = true;
      this.connectedAtMs ??= Date.now();
      this.generation++;
      this.backoffMs = 500;
      this.lastError = null;
      this.events.up();
    } catch (err) {
      this.lastError = (err as Error).message;
      // CONNACK 3: the broker sheds a CONNECT storm; the backoff below is the retry.
      if (/Server unavailable/i.test(this.lastError))
        this.refusals['server-unavailable'] = (this.refusals['server-unavailable'] ?? 0) + 1;
      else {
        const kind = /no provisioning response/.test(this.lastError)
          ? 'provisioning-timeout'
          : /connack timeout/i.test(this.lastError)
            ? 'connack-timeout'
            : 'error';
        this.failures[kind] = (this.failures[kind] ?? 0) + 1;
      }
      this.scheduleReconnect();
    } finally {
      this.connecting = false;
    }
  }

  private markDown(): void {
    if (!this.connected) return;
    this.connected = false;
    this.generation++;
    this.events.down();
  }

  private scheduleReconnect(): void {
    if (this.stopped || !this.inRange || this.retryTimer) return;
    const delay = this.backoffMs * (0.5 + Math.random());
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }
}

/** Refusals that say "not now": the platform's retry hint is honoured, with backoff on top. */
const RETRYABLE_REFUSALS = new Set<string>(['rate-limited', 'overloaded', 'internal-error']);
const REFUSAL_BACKOFF_BASE_MS = 1000;
const REFUSAL_BACKOFF_MAX_MS = 60_000;

/**
 * The hint, then a random share of an exponential backoff (1 s, 2 s, 4 s … 60 s per refusal in a
 * row): a fleet refused together does not come back together, and a platform that keeps refusing is
 * asked less and less often.
 */
export function retryDelayMs(retryAfterS: number, refusedInARow: number, random = Math.random): number {
  const backoffMs = Math.min(REFUSAL_BACKOFF_MAX_MS, REFUSAL_BACKOFF_BASE_MS * 2 ** refusedInARow);
  return retryAfterS * 1000 + random() * backoffMs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
