import { loadTrustedKeys } from '@tinyfleet/artifact/verify-node';
import { BATTERY_PROFILES, MCU_PROFILES, RADIO_PROFILES, totalUj } from '@tinyfleet/energy';
import { INTERPRETER_VERSION } from '@tinyfleet/tinyml';
import type { KeyObject } from 'node:crypto';
import * as path from 'node:path';
import { IdentityStore } from '../identity/identity-store';
import { ModelCatalog } from '../inference/model-catalog';
import { MqttNodeLink, WireTap } from '../mqtt/mqtt-node-link';
import type { ClaimCredential } from '../mqtt/provision-by-claim';
import { mergeAccuracy } from '../node/ground-truth-log';
import { buildFor } from '../node/node-profile';
import type { VirtualClock } from '../node/node-ports';
import { emptyPublished, SIM_UPLINK_KINDS, SimUplinkKind } from '../node/node-radio';
import { FIRMWARE_VERSION } from '../node/report-pump';
import { SimNode } from '../node/sim-node';
import { STREAM_KINDS, StreamCatalog } from '../streams/stream-catalog';
import type { UciStreamOptions } from '../streams/gas.stream';
import type { UserStreamOptions } from '../streams/user.stream';
import type { NodeSpec } from './fleet-plan';
import { defaultTrustedKeyDir } from './fleet-setup';

export interface FleetHostOptions {
  mqttUrl: string;
  /** Where nodes register by claim (default: mqttUrl). */
  provisioningUrl?: string;
  claim: ClaimCredential;
  clock: VirtualClock;
  dataDir: string;
  /** Node-local state (identities, seq floors): `.tinyfleet/sim`. */
  stateDir: string;
  modelCacheDir: string;
  tickMs?: number;
  connectConcurrency?: number;
  wireTap?: WireTap;
  doorbellMeanMotionIntervalMs?: number;
  /** Replay only this many distinct doorbell frames (tests: fewer distinct inferences to run). */
  doorbellMaxFrames?: number;
  /**
   * How gas-ethylene nodes replay UCI: shuffled within each batch, so the class order of the file is
   * no time signal and what drifts is the sensors (drift tests, `sim run --gas-shuffle`), and up to
   * which batch (`--gas-end-batch`).
   */
  uci?: UciStreamOptions;
  /** The user's own recording, for nodes of stream kind `user` (`sim run --stream-file`). */
  userStream?: UserStreamOptions;
  /** How often to look for newly built artifacts (real ms); 0 = never. */
  modelRefreshMs?: number;
  /**
   * The nodes' trust store: folders or PEM files of the public keys whose model signatures they
   * accept over the air (default: the local dev signing key, `.tinyfleet/keys`).
   */
  trustedKeyPaths?: string[];
}

export interface HostedNode {
  spec: NodeSpec;
  node: SimNode;
  link: MqttNodeLink;
}

export interface FleetStats {
  nodes: number;
  online: number;
  virtualTimeMs: number;
  samples: number;
  inferences: number;
  interpreterInvocations: number;
  eventsCreated: number;
  eventsAcked: number;
  published: Record<SimUplinkKind, number>;
  buffered: number;
  dropped: number;
  /** Sum of the nodes' real ledgers (compute + radio + sensing + sleep), µJ. */
  energyUj: number;
  computeUj: number;
  radioUj: number;
  /** Radio energy of the messages alone (TX + RX), without connects and keep-alives. */
  radioMessagesUj: number;
  sensingUj: number;
  sleepUj: number;
  /** Counterfactual radio energy of streaming every raw sample, µJ. */
  rawRadioUj: number;
  bytesUp: number;
  rawBytesUp: number;
  refusals: Record<string, number>;
  linkErrors: Record<string, number>;
  modelsMissing: Record<string, string>;
  accuracy: Record<string, { inferences: number; correct: number }>;
  /** Models activated over the air, and OTA writes cut by a (simulated) power loss. */
  otaInstalls: number;
  powerLosses: number;
  /** Nodes holding an identity (stored or just issued). */
  registered: number;
  /** Registration refusals the nodes retried after, by reason. */
  registrationRefusals: Record<string, number>;
  /** Register/connect attempts that failed without a refusal (timeouts, errors), by kind; retried. */
  linkFailures: Record<string, number>;
  /** Real time (Date.now()) each node first registered / first connected; nodes not there yet are absent. */
  registeredAtMs: number[];
  connectedAtMs: number[];
}

/**
 * The simulation engine of one thread: nodes, their MQTT links, the shared streams and models, and
 * a tick loop that advances every node to the current virtual time. A fleet worker runs one of these;
 * tests run one in-process.
 */
export class FleetHost {
  readonly nodes: HostedNode[] = [];
  readonly streams: StreamCatalog;
  readonly models: ModelCatalog;
  private readonly store: IdentityStore;
  private readonly trustedKeys: Map<string, KeyObject>;
  private timer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private ticking = false;
  /** Set while draining: the virtual time the nodes are held at. */
  private frozenAtMs: number | null = null;

  constructor(private readonly o: FleetHostOptions) {
    this.streams = new StreamCatalog({
      doorbellMeanMotionIntervalMs: o.doorbellMeanMotionIntervalMs,
      doorbellMaxFrames: o.doorbellMaxFrames,
      uci: o.uci,
      user: o.userStream,
    });
    this.store = new IdentityStore(path.join(o.stateDir, 'identities'));
    this.models = new ModelCatalog({ dataDir: o.dataDir, modelCacheDir: o.modelCacheDir, recipes: STREAM_KINDS });
    this.trustedKeys = loadTrustedKeys(o.trustedKeyPaths ?? [defaultTrustedKeyDir()]);
  }

  add(specs: NodeSpec[]): void {
    const now = this.o.clock.nowMs();
    for (const spec of specs) {
      const build = { ...buildFor(spec.stream, spec.index), ...pick(spec) };
      const stream = this.streams.get(spec.stream, spec.index);
      let node!: SimNode;
      const link = new MqttNodeLink(
        { mqttUrl: this.o.mqttUrl, provisioningUrl: this.o.provisioningUrl ?? this.o.mqttUrl },
        this.o.claim,
        {
          hardwareId: spec.hardwareId,
          mcuProfile: build.mcu,
          radioProfile: build.radio,
          firmwareVersion: FIRMWARE_VERSION,
          sensorStream: stream.id,
          interpreterVersion: INTERPRETER_VERSION,
        },
        this.store,
        {
          up: () => node.linkUp(this.o.clock.nowMs()),
          down: () => node.linkDown(this.o.clock.nowMs()),
          config: (cfg, bytes) => node.applyConfig(cfg, bytes),
          ota: (kind, payload) => void node.onOtaDownlink(kind, payload),
          evidence: (payload) => node.onEvidenceRequest(payload),
        },
        this.o.wireTap,
      );
      const seed = hashString(spec.hardwareId);
      node = new SimNode({
        hardwareId: spec.hardwareId,
        mcu: MCU_PROFILES[build.mcu],
        radio: RADIO_PROFILES[build.radio],
        battery: BATTERY_PROFILES[build.battery],
        stream,
        // Spread nodes over the recording: each replays from its own point.
        streamOffset: spec.streamOffset ?? (seed % stream.length) + spec.index,
        bootMs: now,
        seed,
        bufferCapacity: spec.bufferCapacity,
        seqStore: this.store.seqStore(spec.hardwareId),
        uplink: link,
        model: this.models.get(stream.recipe),
        trustedKeys: this.trustedKeys,
        loadReceivedModel: (bytes, manifest) => this.models.intern(bytes, manifest, stream.channels),
        senseAfterFirstLink: true,
      });
      this.nodes.push({ spec, node, link });
    }
  }

  /** Start the tick loop, then register/connect every node (at most `connectConcurrency` at once). */
  async start(): Promise<void> {
    const tickMs = this.o.tickMs ?? 100;
    this.timer = setInterval(() => this.tick(), tickMs);
    if (this.o.modelRefreshMs) this.refreshTimer = setInterval(() => this.refreshModels(), this.o.modelRefreshMs);
    await this.connect(this.nodes);
  }

  /** Register/connect these nodes, at most `connectConcurrency` at once (each link once). */
  async connect(nodes: readonly HostedNode[]): Promise<void> {
    const queue = [...nodes];
    const workers = Array.from({ length: Math.min(this.o.connectConcurrency ?? 32, queue.length) }, async () => {
      for (let n = queue.shift(); n; n = queue.shift()) await n.link.start();
    });
    await Promise.all(workers);
  }

  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.frozenAtMs ?? this.o.clock.nowMs();
      for (const n of this.nodes) n.node.advance(now);
    } finally {
      this.ticking = false;
    }
  }

  /** Install newly built artifacts on the nodes of their streams (refused where they do not fit). */
  refreshModels(): string[] {
    const changed = this.models.refresh();
    for (const recipe of changed) {
      const model = this.models.get(recipe)!;
      for (const n of this.nodes) if (n.node.stream.recipe === recipe) n.node.installModel(model);
    }
    return changed;
  }

  find(hardwareId: string): HostedNode | undefined {
    return this.nodes.find((n) => n.spec.hardwareId === hardwareId);
  }

  stats(): FleetStats {
    const s: FleetStats = {
      nodes: this.nodes.length,
      online: 0,
      virtualTimeMs: this.o.clock.nowMs(),
      samples: 0,
      inferences: 0,
      interpreterInvocations: this.models.all().reduce((a, m) => a + m.invocations, 0),
      eventsCreated: 0,
      eventsAcked: 0,
      published: emptyPublished(),
      buffered: 0,
      dropped: 0,
      energyUj: 0,
      computeUj: 0,
      radioUj: 0,
      radioMessagesUj: 0,
      sensingUj: 0,
      sleepUj: 0,
      rawRadioUj: 0,
      bytesUp: 0,
      rawBytesUp: 0,
      refusals: {},
      linkErrors: {},
      // Only the streams these nodes replay: a fleet of the user's own recording needs no soil model.
      modelsMissing: Object.fromEntries(
        [...this.models.missing].filter(([recipe]) => this.nodes.some((n) => n.node.stream.recipe === recipe)),
      ),
      accuracy: {},
      otaInstalls: 0,
      powerLosses: 0,
      registered: 0,
      registrationRefusals: {},
      linkFailures: {},
      registeredAtMs: [],
      connectedAtMs: [],
    };
    for (const { node, link } of this.nodes) {
      if (link.connected) s.online++;
      if (link.registeredAtMs !== null) {
        s.registered++;
        s.registeredAtMs.push(link.registeredAtMs);
      }
      if (link.connectedAtMs !== null) s.connectedAtMs.push(link.connectedAtMs);
      for (const [r, n] of Object.entries(link.refusals))
        s.registrationRefusals[r] = (s.registrationRefusals[r] ?? 0) + n;
      for (const [k, n] of Object.entries(link.failures)) s.linkFailures[k] = (s.linkFailures[k] ?? 0) + n;
      const c = node.counters;
      s.samples += c.samples;
      s.inferences += c.inferences;
      s.eventsCreated += c.eventsCreated;
      s.eventsAcked += c.eventsAcked;
      for (const k of SIM_UPLINK_KINDS) s.published[k] += c.published[k];
      s.otaInstalls += node.slots.otaInstalls;
      s.powerLosses += node.slots.powerLosses;
      s.buffered += node.buffer.size;
      s.dropped += node.buffer.dropped;
      const e = node.ledger.snapshot();
      s.energyUj += totalUj(e);
      s.computeUj += e.computeUj;
      s.radioUj += e.radioTxUj + e.radioRxUj + e.radioConnectUj;
      s.radioMessagesUj += e.radioTxUj + e.radioRxUj;
      s.sensingUj += e.sensingUj;
      s.sleepUj += e.sleepUj;
      s.rawRadioUj += e.rawRadioUj;
      s.bytesUp += e.bytesUp;
      s.rawBytesUp += e.rawBytesUp;
      if (node.slots.lastRefusal) s.refusals[node.slots.lastRefusal] = (s.refusals[node.slots.lastRefusal] ?? 0) + 1;
      if (link.lastError) s.linkErrors[link.lastError] = (s.linkErrors[link.lastError] ?? 0) + 1;
      if (node.lastOtaError)
        s.linkErrors[`OTA agent: ${node.lastOtaError}`] = (s.linkErrors[`OTA agent: ${node.lastOtaError}`] ?? 0) + 1;
      mergeAccuracy(s.accuracy, node.truth.accuracy());
    }
    return s;
  }

  /**
   * Stop the virtual clock and wait (real time) until every connected node's buffer has drained and its
   * reports were acknowledged (the last energy snapshot is stored, not on its way), or `timeoutMs`
   * passed. The nodes sense nothing more meanwhile, so a drained fleet has stored every event it made.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.frozenAtMs = this.o.clock.nowMs(); // ticks send what the nodes hold and sample nothing new
    try {
      return await this.drainFrozen(timeoutMs);
    } finally {
      this.frozenAtMs = null;
    }
  }

  private async drainFrozen(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.tick();
      if (this.nodes.every((n) => !n.link.connected || (n.node.buffer.size === 0 && n.node.reportsAwaitingAck === 0)))
        return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.timer = this.refreshTimer = null;
    await Promise.all(this.nodes.map((n) => n.link.stop()));
  }
}

function pick(spec: NodeSpec) {
  const o: Partial<Pick<NodeSpec, 'mcu' | 'radio' | 'battery'>> = {};
  if (spec.mcu) o.mcu = spec.mcu;
  if (spec.radio) o.radio = spec.radio;
  if (spec.battery) o.battery = spec.battery;
  return o;
}

/** FNV-1a: a stable per-node seed from its hardware id. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
