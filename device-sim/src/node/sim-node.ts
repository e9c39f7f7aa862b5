import { mulberry32 } from '@tinyfleet/random';
import {
  BatteryProfile,
  EnergyLedger,
  McuProfile,
  RadioProfile,
  SENSOR_PROFILES,
  totalUj,
  usableEnergyJ,
} from '@tinyfleet/energy';
import { INTERPRETER_VERSION } from '@tinyfleet/tinyml';
import {
  DeviceConfigV1,
  encodeDeviceCapabilitiesV1,
  encodeEnergySnapshotV1,
  encodeInferenceEventV1,
  encodeStatusV1,
  EnergySnapshotV1,
  InferenceEventV1,
} from '@tinyfleet/wire';
import type { KeyObject } from 'node:crypto';
import type { SharedModel } from '../inference/shared-model';
import type { SensorStream } from '../streams/sensor-stream';
import { DEFAULT_DEVICE_CONFIG, EventPolicyState } from './event-policy';
import { DEFAULT_EVIDENCE_BUDGET_BYTES, EvidenceAgent } from './evidence-agent';
import { captureWindow } from './evidence-window';
import { opSetBytesFor } from './firmware-build';
import { GroundTruthLog } from './ground-truth-log';
import { LoadReceivedModel, ModelSlots } from './model-slots';
import { emptyPublished, NodeRadio, RadioCounters } from './node-radio';
import type { NodeUplink, SeqStore } from './node-ports';
import { OfflineBuffer } from './offline-buffer';
import { OtaDownlinkKind, OtaTask } from './ota-task';
import { SummaryAgent } from './summary-agent';

export const FIRMWARE_VERSION = 'sim-1.0.0';
/** QoS 1 messages the node keeps unacknowledged at once (MQTT client window on a small MCU). */
export const MAX_IN_FLIGHT = 8;
const SEQ_BLOCK = 4096;
/** Evidence chunks published per pump at most, so events and status interleave with an upload. */
const EVIDENCE_CHUNKS_PER_PUMP = 4;

export interface SimNodeOptions {
  hardwareId: string;
  mcu: McuProfile;
  radio: RadioProfile;
  battery: BatteryProfile;
  stream: SensorStream;
  /** Where in the recording this node starts. */
  streamOffset: number;
  /** Virtual boot time. */
  bootMs: number;
  /** Seeds the node's own random source (motion triggers). */
  seed: number;
  bufferCapacity?: number;
  seqStore: SeqStore;
  uplink: NodeUplink;
  model?: SharedModel;
  bootId?: number;
  /** Public keys the node accepts model signatures from (its trust store); none = every OTA offer is refused. */
  trustedKeys?: Map<string, KeyObject>;
  /** Builds a runnable model from bytes received over the air (shared per worker); none = no OTA. */
  loadReceivedModel?: LoadReceivedModel;
  /**
   * The firmware joins first and senses after: no sample before the first link up (registered and
   * connected). A fleet booting at once then loses nothing while it waits for the platform; the
   * offline buffer is for outages after that.
   */
  senseAfterFirstLink?: boolean;
  /**
   * Evidence budget until the operator sets one, bytes per UTC day: by default 0 (off) for the
   * doorbell camera, whose frames are personal data, DEFAULT_EVIDENCE_BUDGET_BYTES for sensor nodes.
   */
  evidenceBudgetBytesPerDay?: number;
}

export interface NodeCounters extends RadioCounters {
  samples: number;
  inferences: number;
  eventsCreated: number;
  eventsAcked: number;
}

/**
 * One simulated microcontroller node. Everything is driven by `advance(virtualNowMs)`: it takes the
 * samples due since the last call at their own virtual instants (sensing, inference, event policy),
 * settles keep-alive and sleep, sends periodic status and energy, and pumps the buffered events out
 * while the link is up. Every action is charged to the node's own joule ledger.
 */
export class SimNode {
  readonly ledger: EnergyLedger;
  readonly slots: ModelSlots;
  readonly buffer: OfflineBuffer;
  readonly truth = new GroundTruthLog();
  readonly counters: NodeCounters = {
    samples: 0,
    inferences: 0,
    eventsCreated: 0,
    eventsAcked: 0,
    published: emptyPublished(),
    evidenceBytesOnAir: 0,
    evidenceUj: 0,
  };
  readonly ota: OtaTask;
  readonly evidence: EvidenceAgent;
  readonly bootId: number;
  private readonly radio: NodeRadio;
  private readonly summaries: SummaryAgent;
  private readonly policy: EventPolicyState;
  private config: DeviceConfigV1 = DEFAULT_DEVICE_CONFIG;
  private readonly random: () => number;
  private sampleIndex: number;
  private nextSampleAtMs: number;
  private samplesSinceInference = 0;
  private samplesSeen = 0;
  private nextSeq: number;
  private seqReservedUntil: number;
  private energySeq = 0;
  private nextStatusAtMs: number;
  private nextEnergyAtMs: number;
  private lastNowMs: number;
  private statusDue = false;
  /** The status went while the previous summary still awaited its PUBACK: send the window once it is in. */
  private summaryDue = false;
  private capabilitiesDue = false;
  private energyDue = false;
  private sensing: boolean;

  constructor(private readonly o: SimNodeOptions) {
    this.sensing = !o.senseAfterFirstLink;
    this.bootId = o.bootId ?? (o.seed * 2654435761) >>> 0;
    this.random = mulberry32(o.seed);
    this.policy = new EventPolicyState(
      DEFAULT_DEVICE_CONFIG.eventPolicy,
      DEFAULT_DEVICE_CONFIG.scoreThresholdQ,
      o.stream.eventConfirmations ?? 1,
    );
    this.ledger = new EnergyLedger({
      mcu: o.mcu,
      radio: o.radio,
      startMs: o.bootMs,
      rawQos: 1,
      rawTopicBytes: o.uplink.topicBytes('event'),
    });
    const load = o.loadReceivedModel;
    this.slots = new ModelSlots(
      o.mcu,
      load &&
        ((bytes, manifest) => {
          const model = load(bytes, manifest);
          model.entry(o.stream); // throws when the model cannot take this node's sensor input
          return model;
        }),
      // The new slot's events carry its model tag: the status that names it goes first (docs/protocol.md).
      () => (this.statusDue = true),
    );
    this.radio = new NodeRadio(o.radio, this.ledger, o.uplink, this.counters);
    this.ota = new OtaTask(this.slots, {
      mcu: o.mcu,
      trustedKeys: o.trustedKeys ?? new Map(),
      clock: () => this.lastNowMs,
      publish: (kind, payload) => this.sendOta(kind, payload),
      selfTestRan: () => this.chargeSelfTest(),
    });
    this.evidence = new EvidenceAgent(
      {
        publish: (kind, payload) => {
          if (o.uplink.connected) this.radio.send(kind, payload, this.lastNowMs).catch(() => undefined);
        },
        deviceSecret: () => o.uplink.deviceSecret?.() ?? null,
      },
      o.evidenceBudgetBytesPerDay ?? (o.stream.sensor === 'doorbell' ? 0 : DEFAULT_EVIDENCE_BUDGET_BYTES),
    );
    this.buffer = new OfflineBuffer(o.bufferCapacity ?? 256);
    if (o.model) this.slots.install(o.model);
    this.sampleIndex = o.streamOffset;
    this.nextSampleAtMs = o.bootMs;
    this.lastNowMs = o.bootMs;
    this.summaries = new SummaryAgent(this.bootId, o.bootMs);
    this.nextSeq = o.seqStore.reserve(SEQ_BLOCK, 0);
    this.seqReservedUntil = this.nextSeq + SEQ_BLOCK;
    this.nextStatusAtMs = o.bootMs + this.config.statusIntervalS * 1000;
    this.nextEnergyAtMs = o.bootMs + this.config.energyIntervalS * 1000;
  }

  get hardwareId(): string {
    return this.o.hardwareId;
  }

  get stream(): SensorStream {
    return this.o.stream;
  }

  get uplink(): NodeUplink {
    return this.o.uplink;
  }

  /** Periodic reports (status, energy, …) sent on the current link and not yet acknowledged. */
  get reportsAwaitingAck(): number {
    return this.radio.reportsAwaitingAck;
  }

  /** An unexpected failure inside the OTA agent (a bug, not a refused update), for the fleet summary. */
  get lastOtaError(): string | null {
    return this.ota.lastError;
  }

  /** Run the node up to virtual time `nowMs`. */
  advance(nowMs: number): void {
    if (nowMs < this.lastNowMs) return;
    if (!this.sensing) {
      // Joining: the radio's registration traffic is not modelled, the rest of the part sleeps.
      this.ledger.chargeSleepUntil(nowMs);
      this.lastNowMs = nowMs;
      return;
    }
    while (this.nextSampleAtMs <= nowMs) {
      const t = this.nextSampleAtMs;
      this.takeSample(t);
      this.nextSampleAtMs = t + this.o.stream.nextIntervalMs(this.sampleIndex, this.random);
      this.sampleIndex++;
    }
    this.radio.settleKeepAlive(nowMs);
    if (nowMs >= this.nextStatusAtMs) {
      this.statusDue = true;
      this.nextStatusAtMs = nextAfter(this.nextStatusAtMs, this.config.statusIntervalS * 1000, nowMs);
    }
    if (nowMs >= this.nextEnergyAtMs) {
      this.energyDue = true;
      this.nextEnergyAtMs = nextAfter(this.nextEnergyAtMs, this.config.energyIntervalS * 1000, nowMs);
    }
    this.pump(nowMs);
    this.ledger.chargeSleepUntil(nowMs);
    this.lastNowMs = nowMs;
  }

  /** The link came up at virtual `nowMs` (connect or reconnect): pay for it, report, flush. */
  linkUp(nowMs: number): void {
    if (!this.sensing) {
      this.sensing = true;
      this.nextSampleAtMs = Math.max(this.nextSampleAtMs, nowMs);
      this.nextStatusAtMs = nowMs + this.config.statusIntervalS * 1000;
      this.nextEnergyAtMs = nowMs + this.config.energyIntervalS * 1000;
    }
    this.radio.linkUp(nowMs);
    // After every connect: the platform may have missed the last report, and admission needs the op set.
    this.capabilitiesDue = true;
    this.statusDue = true; // the platform learns the slots (model tags) before the events
    this.energyDue = true;
    this.pump(nowMs);
    this.ota.resume();
  }

  /** The link went down: in-flight events go back to the buffer. */
  linkDown(nowMs: number): void {
    this.radio.linkDown(nowMs);
    this.buffer.requeueInFlight();
  }

  /** down/config arrived (`payloadBytes` on the wire). */
  applyConfig(config: DeviceConfigV1, payloadBytes: number): void {
    this.radio.received('config', payloadBytes);
    this.config = config;
    this.policy.configure(config.eventPolicy, config.scoreThresholdQ);
    this.nextStatusAtMs = Math.min(this.nextStatusAtMs, this.lastNowMs + config.statusIntervalS * 1000);
    this.nextEnergyAtMs = Math.min(this.nextEnergyAtMs, this.lastNowMs + config.energyIntervalS * 1000);
  }

  /** An OTA downlink arrived (`payload` as received): its radio energy is charged, then the OTA task handles it. */
  onOtaDownlink(kind: OtaDownlinkKind, payload: Uint8Array): Promise<void> {
    this.radio.received(kind, payload.byteLength);
    return this.ota.onDownlink(kind, payload);
  }

  /** down/evidence-request arrived: its radio energy is charged, then the agent answers it. */
  onEvidenceRequest(payload: Uint8Array): void {
    this.radio.received('evidence-request', payload.byteLength);
    const tags = [this.slots.activeModel, this.slots.inactiveModel].flatMap((m) => (m ? [m.artifact.modelTag] : []));
    this.evidence.onRequest(payload, this.lastNowMs, tags);
    this.pump(this.lastNowMs);
  }

  /**
   * Install a model into the inactive slot (refused with a reason when it does not fit). The next
   * pump sends a status: the platform knows what a device runs only from its slots, and evidence
   * requests, rollout targets and drift cohorts go by them — a status interval later (an hour by
   * default) a request for the model found no device running it.
   */
  installModel(model: SharedModel) {
    const fit = this.slots.install(model);
    if (fit.ok) {
      this.samplesSinceInference = 0;
      this.statusDue = true;
    }
    return fit;
  }

  energySnapshot(nowMs: number): EnergySnapshotV1 {
    return { bootId: this.bootId, seq: this.energySeq, virtualTimeMs: nowMs, ...this.ledger.snapshot() };
  }

  /** Battery state from energy drawn so far against the cell's usable energy (no recharge). */
  battery(): { pct: number; mv: number } {
    const usedJ = totalUj(this.ledger.snapshot()) / 1e6;
    const left = Math.max(0, 1 - usedJ / usableEnergyJ(this.o.battery));
    // Linear discharge curve between 100 % of nominal and the 80 % cut-off: a display figure only.
    return { pct: Math.round(left * 100), mv: Math.round(this.o.battery.nominalV * 1000 * (0.8 + 0.2 * left)) };
  }

  private takeSample(t: number): void {
    const sensor = SENSOR_PROFILES[this.o.stream.sensor];
    this.ledger.chargeSleepUntil(t);
    this.ledger.chargeWake();
    this.ledger.chargeSensing(sensor);
    this.ledger.chargeRawSample(this.o.stream.rawSampleBytes);
    this.counters.samples++;
    this.samplesSeen++;
    this.samplesSinceInference++;
    const model = this.slots.activeModel;
    if (!model) return;
    if (this.samplesSeen < model.windowFor(this.o.stream) || this.samplesSinceInference < model.artifact.strideSamples)
      return;
    this.samplesSinceInference = 0;
    const result = model.infer(this.o.stream, this.sampleIndex);
    const cost = model.costOn(this.o.mcu);
    this.ledger.chargeCompute(cost);
    this.counters.inferences++;
    this.summaries.add(model, result);
    if (this.evidence.enabled) this.evidence.keep(captureWindow(this.o.stream, model, this.sampleIndex, t, result));
    const report = this.policy.shouldReport(result);
    const seq = report ? this.takeSeq() : -1;
    if (this.o.stream.scored?.(this.sampleIndex) !== false)
      this.truth.record({
        virtualTimeMs: t,
        sample: this.sampleIndex,
        trueLabel: this.o.stream.groundTruth(this.sampleIndex),
        predictedLabel: result.label,
        model: `${model.artifact.modelId}@${model.artifact.version}`,
        modelTag: model.artifact.modelTag,
        eventSeq: seq,
      });
    if (!report) return;
    const event: InferenceEventV1 = {
      seq,
      timestampMs: t,
      modelTag: model.artifact.modelTag,
      label: result.label,
      scoreQ: result.scoreQ,
      latencyUs: Math.round(cost.latencyMs * 1000),
      energyUj: Math.round(cost.energyUj),
    };
    this.counters.eventsCreated++;
    this.buffer.push(event);
  }

  private takeSeq(): number {
    if (this.nextSeq >= this.seqReservedUntil) {
      this.nextSeq = this.o.seqStore.reserve(SEQ_BLOCK, this.nextSeq);
      this.seqReservedUntil = this.nextSeq + SEQ_BLOCK;
    }
    return this.nextSeq++;
  }

  /**
   * The agent's uplinks. Not awaited for the PUBACK: MQTT keeps them in order, and a report lost with
   * the link is made good by the agent's resume and by the platform's re-offer.
   */
  private sendOta(kind: 'ota-status' | 'ota-request', payload: Uint8Array): Promise<void> {
    if (this.o.uplink.connected) this.radio.send(kind, payload, this.lastNowMs).catch(() => undefined);
    return Promise.resolve();
  }

  /** The self-test is one inference of the new model, still in the inactive slot. */
  private chargeSelfTest(): void {
    const model = this.slots.inactiveModel;
    if (model) this.ledger.chargeCompute(model.costOn(this.o.mcu));
  }

  /**
   * With the status, or as soon as the previous summary's PUBACK is in (the window stays open until
   * then): skipping it would leave the platform a whole status interval without this node's window.
   */
  private sendSummaryIfDue(nowMs: number): void {
    if (!this.summaryDue || this.radio.awaitingAck('summary')) return;
    this.summaryDue = false;
    const summary = this.summaries.take(nowMs, this.slots.activeModel?.artifact.modelTag);
    if (summary) this.radio.sendReport('summary', summary, nowMs);
  }

  private pump(nowMs: number): void {
    const up = this.o.uplink;
    if (!up.connected) return;
    // Reports go one per kind at a time (NodeRadio.sendReport): a due one waits for its predecessor's
    // PUBACK, and is then made fresh (status and energy supersede, summary and accuracy accumulate).
    if (this.capabilitiesDue && this.radio.txAllowed(nowMs) && !this.radio.awaitingAck('capabilities')) {
      this.capabilitiesDue = false;
      const payload = encodeDeviceCapabilitiesV1({
        timestampMs: nowMs,
        interpreterVersion: INTERPRETER_VERSION,
        opSet: opSetBytesFor(this.o.mcu),
      });
      // Lost with the link: the next connect sends it again.
      this.radio.sendReport('capabilities', payload, nowMs);
    }
    if (this.statusDue && this.radio.txAllowed(nowMs) && !this.radio.awaitingAck('status')) {
      this.statusDue = false;
      const b = this.battery();
      const payload = encodeStatusV1({
        timestampMs: nowMs,
        firmwareVersion: FIRMWARE_VERSION,
        interpreterVersion: INTERPRETER_VERSION,
        uptimeS: Math.floor((nowMs - this.o.bootMs) / 1000),
        batteryPct: b.pct,
        batteryMv: b.mv,
        activeSlot: this.slots.activeSlot,
        slots: this.slots.toWire(),
        bufferedEvents: this.buffer.size,
        droppedEvents: this.buffer.dropped,
      });
      this.radio.sendReport('status', payload, nowMs); // status is periodic: the next one supersedes
      // The window since the last status; a lost one shows as a seq gap.
      this.summaryDue = true;
      this.sendSummaryIfDue(nowMs);
      // With the status: hourly is enough for a health gate, and at 600× the energy cadence would
      // put as many accuracy reports on the platform as energy snapshots.
      const accuracy = this.radio.awaitingAck('accuracy') ? null : this.truth.takeReport(this.bootId, nowMs);
      if (accuracy) this.radio.sendReport('accuracy', accuracy, nowMs); // cumulative, like energy
    }
    if (this.summaryDue && this.radio.txAllowed(nowMs)) this.sendSummaryIfDue(nowMs);
    while (this.buffer.inFlightCount < MAX_IN_FLIGHT && this.radio.txAllowed(nowMs)) {
      const e = this.buffer.takeNext();
      if (!e) break;
      const generation = up.generation;
      this.radio.send('event', encodeInferenceEventV1(e), nowMs).then(
        () => {
          this.buffer.ack(e.seq);
          this.counters.eventsAcked++;
        },
        () => {
          if (generation === up.generation) this.buffer.release(e.seq);
        },
      );
    }
    for (let k = 0; k < EVIDENCE_CHUNKS_PER_PUMP && this.evidence.uploading && this.radio.txAllowed(nowMs); k++)
      this.evidence.sendNext(nowMs);
    if (this.energyDue && this.radio.txAllowed(nowMs) && !this.radio.awaitingAck('energy')) {
      this.energyDue = false;
      this.ledger.chargeSleepUntil(nowMs);
      const payload = encodeEnergySnapshotV1(this.energySnapshot(nowMs));
      this.energySeq++;
      this.radio.sendReport('energy', payload, nowMs); // cumulative: the next one carries it
    }
  }
}

function nextAfter(from: number, intervalMs: number, nowMs: number): number {
  const steps = Math.floor((nowMs - from) / intervalMs) + 1;
  return from + steps * intervalMs;
}
