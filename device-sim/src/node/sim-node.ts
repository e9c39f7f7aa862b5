import { mulberry32 } from '@tinyfleet/random';
import { BatteryProfile, EnergyLedger, McuProfile, RadioProfile, SENSOR_PROFILES } from '@tinyfleet/energy';
import type { DeviceConfigV1, InferenceEventV1 } from '@tinyfleet/wire';
import type { KeyObject } from 'node:crypto';
import type { SharedModel } from '../inference/shared-model';
import type { SensorStream } from '../streams/sensor-stream';
import { DEFAULT_DEVICE_CONFIG, EventPolicyState } from './event-policy';
import { DEFAULT_EVIDENCE_BUDGET_BYTES, EvidenceAgent } from './evidence-agent';
import { captureWindow } from './evidence-window';
import { GroundTruthLog } from './ground-truth-log';
import { LoadReceivedModel, ModelSlots } from './model-slots';
import { emptyPublished, NodeRadio, RadioCounters } from './node-radio';
import type { NodeUplink, SeqStore } from './node-ports';
import { OfflineBuffer } from './offline-buffer';
import { OtaDownlinkKind, OtaTask } from './ota-task';
import { ReportPump } from './report-pump';
import { SummaryAgent } from './summary-agent';

const SEQ_BLOCK = 4096;

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
 * settles keep-alive and sleep, and lets its ReportPump send what fell due while the link is up.
 * Every action is charged to the node's own joule ledger.
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
  private readonly reports: ReportPump;
  private readonly policy: EventPolicyState;
  private readonly random: () => number;
  private sampleIndex: number;
  private nextSampleAtMs: number;
  private samplesSinceInference = 0;
  private samplesSeen = 0;
  private nextSeq: number;
  private seqReservedUntil: number;
  private lastNowMs: number;
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
      () => this.reports.requestStatus(),
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
    this.summaries = new SummaryAgent(this.bootId, o.bootMs);
    this.reports = new ReportPump(
      {
        uplink: o.uplink,
        radio: this.radio,
        ledger: this.ledger,
        buffer: this.buffer,
        slots: this.slots,
        summaries: this.summaries,
        truth: this.truth,
        evidence: this.evidence,
        mcu: o.mcu,
        battery: o.battery,
        bootId: this.bootId,
        bootMs: o.bootMs,
        counters: this.counters,
      },
      DEFAULT_DEVICE_CONFIG,
    );
    if (o.model) this.slots.install(o.model);
    this.sampleIndex = o.streamOffset;
    this.nextSampleAtMs = o.bootMs;
    this.lastNowMs = o.bootMs;
    this.nextSeq = o.seqStore.reserve(SEQ_BLOCK, 0);
    this.seqReservedUntil = this.nextSeq + SEQ_BLOCK;
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
    this.reports.tick(nowMs);
    this.ledger.chargeSleepUntil(nowMs);
    this.lastNowMs = nowMs;
  }

  /** The link came up at virtual `nowMs` (connect or reconnect): pay for it, report, flush. */
  linkUp(nowMs: number): void {
    if (!this.sensing) {
      this.sensing = true;
      this.nextSampleAtMs = Math.max(this.nextSampleAtMs, nowMs);
      this.reports.restartCadence(nowMs);
    }
    this.radio.linkUp(nowMs);
    this.reports.linkUp(nowMs);
    this.ota.resume();
  }

  /** The link went down: in-flight events go back to the buffer. */
  linkDown(nowMs: number): void {
    this.radio.linkDown(nowMs);
    this.reports.linkDown();
  }

  /** down/config arrived (`payloadBytes` on the wire). */
  applyConfig(config: DeviceConfigV1, payloadBytes: number): void {
    this.radio.received('config', payloadBytes);
    this.policy.configure(config.eventPolicy, config.scoreThresholdQ);
    this.reports.configure(config, this.lastNowMs);
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
    this.reports.pump(this.lastNowMs);
  }

  /**
   * Install a model into the inactive slot (refused with a reason when it does not fit). The next
   * pump sends a status: a status interval later (an hour by default) a request for the model found
   * no device running it.
   */
  installModel(model: SharedModel) {
    const fit = this.slots.install(model);
    if (fit.ok) {
      this.samplesSinceInference = 0;
      this.reports.requestStatus();
    }
    return fit;
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
}
