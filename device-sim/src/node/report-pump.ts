/**
 * What a node sends on its own, and when: the periodic reports (capabilities, status, summary,
 * accuracy, energy) as they fall due, the buffered inference events within the MQTT send window, and
 * the evidence upload's next chunks — whenever the link is up. This is the firmware's uplink loop, a
 * separate idea from sensing and inference (SimNode): it decides nothing about what a sample means,
 * only what goes out next and what must wait for a PUBACK.
 */
import type { BatteryProfile, EnergyLedger, McuProfile } from '@tinyfleet/energy';
import { totalUj, usableEnergyJ } from '@tinyfleet/energy';
import { INTERPRETER_VERSION } from '@tinyfleet/tinyml';
import {
  DeviceConfigV1,
  encodeDeviceCapabilitiesV1,
  encodeEnergySnapshotV1,
  encodeInferenceEventV1,
  encodeStatusV1,
} from '@tinyfleet/wire';
import type { EvidenceAgent } from './evidence-agent';
import { opSetBytesFor } from './firmware-build';
import type { GroundTruthLog } from './ground-truth-log';
import type { ModelSlots } from './model-slots';
import type { NodeRadio } from './node-radio';
import type { NodeUplink } from './node-ports';
import type { OfflineBuffer } from './offline-buffer';
import type { SummaryAgent } from './summary-agent';

export const FIRMWARE_VERSION = 'sim-1.0.0';
/** QoS 1 messages the node keeps unacknowledged at once (MQTT client window on a small MCU). */
export const MAX_IN_FLIGHT = 8;
/** Evidence chunks published per pump at most, so events and status interleave with an upload. */
const EVIDENCE_CHUNKS_PER_PUMP = 4;

/** The parts of a node the pump reads and sends from (owned by the node; the pump keeps no copies). */
export interface ReportPumpParts {
  uplink: NodeUplink;
  radio: NodeRadio;
  ledger: EnergyLedger;
  buffer: OfflineBuffer;
  slots: ModelSlots;
  summaries: SummaryAgent;
  truth: GroundTruthLog;
  evidence: EvidenceAgent;
  mcu: McuProfile;
  battery: BatteryProfile;
  bootId: number;
  bootMs: number;
  /** Where the events the platform acknowledged are counted. */
  counters: { eventsAcked: number };
}

export class ReportPump {
  private statusIntervalMs: number;
  private energyIntervalMs: number;
  private nextStatusAtMs: number;
  private nextEnergyAtMs: number;
  private energySeq = 0;
  private statusDue = false;
  /** The status went while the previous summary still awaited its PUBACK: send the window once it is in. */
  private summaryDue = false;
  private capabilitiesDue = false;
  private energyDue = false;

  constructor(
    private readonly o: ReportPumpParts,
    config: DeviceConfigV1,
  ) {
    this.statusIntervalMs = config.statusIntervalS * 1000;
    this.energyIntervalMs = config.energyIntervalS * 1000;
    this.nextStatusAtMs = o.bootMs + this.statusIntervalMs;
    this.nextEnergyAtMs = o.bootMs + this.energyIntervalMs;
  }

  /**
   * A status at the next pump, ahead of the periodic one: the platform knows what a device runs only
   * from its slots (evidence requests, rollout targets and drift cohorts go by them), and the new
   * slot's events carry its model tag.
   */
  requestStatus(): void {
    this.statusDue = true;
  }

  /** down/config at `nowMs`: a shorter interval takes effect from now, a longer one after the report due. */
  configure(config: DeviceConfigV1, nowMs: number): void {
    this.statusIntervalMs = config.statusIntervalS * 1000;
    this.energyIntervalMs = config.energyIntervalS * 1000;
    this.nextStatusAtMs = Math.min(this.nextStatusAtMs, nowMs + this.statusIntervalMs);
    this.nextEnergyAtMs = Math.min(this.nextEnergyAtMs, nowMs + this.energyIntervalMs);
  }

  /** The node joined at `nowMs` (it senses from now on): the periodic reports count from the join. */
  restartCadence(nowMs: number): void {
    this.nextStatusAtMs = nowMs + this.statusIntervalMs;
    this.nextEnergyAtMs = nowMs + this.energyIntervalMs;
  }

  /** The node ran up to `nowMs`: the periodic reports that fell due are marked, then sent if they can be. */
  tick(nowMs: number): void {
    if (nowMs >= this.nextStatusAtMs) {
      this.statusDue = true;
      this.nextStatusAtMs = nextAfter(this.nextStatusAtMs, this.statusIntervalMs, nowMs);
    }
    if (nowMs >= this.nextEnergyAtMs) {
      this.energyDue = true;
      this.nextEnergyAtMs = nextAfter(this.nextEnergyAtMs, this.energyIntervalMs, nowMs);
    }
    this.pump(nowMs);
  }

  /** The link came up (the radio has paid the connect): report, flush. */
  linkUp(nowMs: number): void {
    // After every connect: the platform may have missed the last report, and admission needs the op set.
    this.capabilitiesDue = true;
    this.statusDue = true; // the platform learns the slots (model tags) before the events
    this.energyDue = true;
    this.pump(nowMs);
  }

  /** The link went down: in-flight events go back to the buffer. */
  linkDown(): void {
    this.o.buffer.requeueInFlight();
  }

  /** Send what is due and what the radio lets through now (nothing while the link is down). */
  pump(nowMs: number): void {
    const { uplink: up, radio } = this.o;
    if (!up.connected) return;
    // Reports go one per kind at a time (NodeRadio.sendReport): a due one waits for its predecessor's
    // PUBACK, and is then made fresh (status and energy supersede, summary and accuracy accumulate).
    if (this.capabilitiesDue && radio.txAllowed(nowMs) && !radio.awaitingAck('capabilities')) {
      this.capabilitiesDue = false;
      const payload = encodeDeviceCapabilitiesV1({
        timestampMs: nowMs,
        interpreterVersion: INTERPRETER_VERSION,
        opSet: opSetBytesFor(this.o.mcu),
      });
      // Lost with the link: the next connect sends it again.
      radio.sendReport('capabilities', payload, nowMs);
    }
    if (this.statusDue && radio.txAllowed(nowMs) && !radio.awaitingAck('status')) {
      this.statusDue = false;
      this.sendStatus(nowMs);
    }
    if (this.summaryDue && radio.txAllowed(nowMs)) this.sendSummaryIfDue(nowMs);
    this.sendEvents(nowMs);
    const evidence = this.o.evidence;
    for (let k = 0; k < EVIDENCE_CHUNKS_PER_PUMP && evidence.uploading && radio.txAllowed(nowMs); k++)
      evidence.sendNext(nowMs);
    if (this.energyDue && radio.txAllowed(nowMs) && !radio.awaitingAck('energy')) {
      this.energyDue = false;
      this.sendEnergy(nowMs);
    }
  }

  private sendStatus(nowMs: number): void {
    const { radio, slots, buffer } = this.o;
    const b = batteryState(this.o.ledger, this.o.battery);
    const payload = encodeStatusV1({
      timestampMs: nowMs,
      firmwareVersion: FIRMWARE_VERSION,
      interpreterVersion: INTERPRETER_VERSION,
      uptimeS: Math.floor((nowMs - this.o.bootMs) / 1000),
      batteryPct: b.pct,
      batteryMv: b.mv,
      activeSlot: slots.activeSlot,
      slots: slots.toWire(),
      bufferedEvents: buffer.size,
      droppedEvents: buffer.dropped,
    });
    radio.sendReport('status', payload, nowMs); // status is periodic: the next one supersedes
    // The window since the last status; a lost one shows as a seq gap.
    this.summaryDue = true;
    this.sendSummaryIfDue(nowMs);
    // With the status: hourly is enough for a health gate, and at 600× the energy cadence would
    // put as many accuracy reports on the platform as energy snapshots.
    const accuracy = radio.awaitingAck('accuracy') ? null : this.o.truth.takeReport(this.o.bootId, nowMs);
    if (accuracy) radio.sendReport('accuracy', accuracy, nowMs); // cumulative, like energy
  }

  /**
   * With the status, or as soon as the previous summary's PUBACK is in (the window stays open until
   * then): skipping it would leave the platform a whole status interval without this node's window.
   */
  private sendSummaryIfDue(nowMs: number): void {
    if (!this.summaryDue || this.o.radio.awaitingAck('summary')) return;
    this.summaryDue = false;
    const summary = this.o.summaries.take(nowMs, this.o.slots.activeModel?.artifact.modelTag);
    if (summary) this.o.radio.sendReport('summary', summary, nowMs);
  }

  /** Oldest first, up to MAX_IN_FLIGHT unacknowledged; an event leaves the buffer only with its PUBACK. */
  private sendEvents(nowMs: number): void {
    const { uplink: up, radio, buffer, counters } = this.o;
    while (buffer.inFlightCount < MAX_IN_FLIGHT && radio.txAllowed(nowMs)) {
      const e = buffer.takeNext();
      if (!e) break;
      const generation = up.generation;
      radio.send('event', encodeInferenceEventV1(e), nowMs).then(
        () => {
          buffer.ack(e.seq);
          counters.eventsAcked++;
        },
        () => {
          if (generation === up.generation) buffer.release(e.seq);
        },
      );
    }
  }

  private sendEnergy(nowMs: number): void {
    const ledger = this.o.ledger;
    ledger.chargeSleepUntil(nowMs);
    const payload = encodeEnergySnapshotV1({
      bootId: this.o.bootId,
      seq: this.energySeq,
      virtualTimeMs: nowMs,
      ...ledger.snapshot(),
    });
    this.energySeq++;
    this.o.radio.sendReport('energy', payload, nowMs); // cumulative: the next one carries it
  }
}

/** Battery state from energy drawn so far against the cell's usable energy (no recharge). */
function batteryState(ledger: EnergyLedger, battery: BatteryProfile): { pct: number; mv: number } {
  const usedJ = totalUj(ledger.snapshot()) / 1e6;
  const left = Math.max(0, 1 - usedJ / usableEnergyJ(battery));
  // Linear discharge curve between 100 % of nominal and the 80 % cut-off: a display figure only.
  return { pct: Math.round(left * 100), mv: Math.round(battery.nominalV * 1000 * (0.8 + 0.2 * left)) };
}

function nextAfter(from: number, intervalMs: number, nowMs: number): number {
  const steps = Math.floor((nowMs - from) / intervalMs) + 1;
  return from + steps * intervalMs;
}
