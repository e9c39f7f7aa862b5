import {
  connectCost,
  dutyCycleMinIntervalS,
  EnergyLedger,
  keepAliveCostUj,
  MessageCost,
  messageCost,
  RadioProfile,
} from '@tinyfleet/energy';
import type { DownlinkKind } from '@tinyfleet/wire';
import type { NodeUplink } from './node-ports';

/** What this firmware publishes: every uplink kind of the wire protocol. */
export const SIM_UPLINK_KINDS = [
  'event',
  'status',
  'energy',
  'ota-status',
  'ota-request',
  'accuracy',
  'capabilities',
  'summary',
  'evidence',
  'evidence-status',
] as const;
export type SimUplinkKind = (typeof SIM_UPLINK_KINDS)[number];

export function emptyPublished(): Record<SimUplinkKind, number> {
  return Object.fromEntries(SIM_UPLINK_KINDS.map((k) => [k, 0])) as Record<SimUplinkKind, number>;
}

/**
 * Message cost by radio profile and (kind, payload size, topic size), shared by every node of a
 * thread: nodes send the same few shapes over and over, and a cache per node cost ~7 KB each.
 */
const TX_COSTS = new WeakMap<RadioProfile, Map<string, MessageCost>>();

/** The node counters the radio keeps. */
export interface RadioCounters {
  published: Record<SimUplinkKind, number>;
  /** Bytes on air and radio energy of evidence uplinks (chunks and statuses), as charged to the ledger. */
  evidenceBytesOnAir: number;
  evidenceUj: number;
}

/**
 * The node's radio as its joule ledger sees it: every uplink exchange and every received downlink
 * is charged its message cost, a connect and the keep-alives while the link is up are charged too,
 * and on LoRa the 1 % duty cycle holds the next uplink back.
 */
export class NodeRadio {
  private readonly txCosts: Map<string, MessageCost>;
  private nextTxAllowedMs = 0;
  private keepAliveFromMs: number | null = null;
  /** Links this radio has lost: a report sent before the last one no longer holds its kind back. */
  private linksLost = 0;
  /** Report kinds with one awaiting its PUBACK, and `linksLost` when it was sent. */
  private readonly awaiting = new Map<SimUplinkKind, number>();

  constructor(
    private readonly profile: RadioProfile,
    private readonly ledger: EnergyLedger,
    private readonly uplink: NodeUplink,
    private readonly counters: RadioCounters,
  ) {
    this.txCosts = TX_COSTS.get(profile) ?? TX_COSTS.set(profile, new Map()).get(profile)!;
  }

  /** The link came up at `nowMs`: the connect is paid, keep-alives run from now. */
  linkUp(nowMs: number): void {
    this.ledger.chargeRadioConnect(connectCost(this.profile));
    this.keepAliveFromMs = nowMs;
  }

  linkDown(nowMs: number): void {
    this.settleKeepAlive(nowMs);
    this.keepAliveFromMs = null;
    this.linksLost++;
  }

  settleKeepAlive(nowMs: number): void {
    if (this.keepAliveFromMs === null || nowMs <= this.keepAliveFromMs) return;
    const uj = keepAliveCostUj(this.profile, (nowMs - this.keepAliveFromMs) / 1000);
    if (uj > 0) this.ledger.chargeRadioConnect(uj);
    this.keepAliveFromMs = nowMs;
  }

  txAllowed(nowMs: number): boolean {
    return nowMs >= this.nextTxAllowedMs;
  }

  send(kind: SimUplinkKind, payload: Uint8Array, nowMs: number): Promise<unknown> {
    // up/accuracy is the simulation's measuring tape (a field device has no ground truth to send):
    // it is not charged, so the energy figures stay those of the device's real workload.
    if (kind !== 'accuracy') this.chargeTx(kind, payload.byteLength, nowMs);
    this.counters.published[kind]++;
    return this.uplink.publish(kind, payload);
  }

  /** Whether a report of this kind sent on the current link still awaits its PUBACK. */
  awaitingAck(kind: SimUplinkKind): boolean {
    return this.awaiting.get(kind) === this.linksLost;
  }

  /** Reports sent on the current link still awaiting their PUBACK (0..one per kind). */
  get reportsAwaitingAck(): number {
    let n = 0;
    for (const link of this.awaiting.values()) if (link === this.linksLost) n++;
    return n;
  }

  /**
   * A periodic report (status, energy, summary, accuracy, capabilities): at most one per kind awaits
   * its PUBACK, and the caller holds the next one back until then (awaitingAck). Unbounded, a platform
   * slower than the reports would grow every node's MQTT outgoing store without limit. One lost with
   * the link does not hold the next link's back.
   */
  sendReport(kind: SimUplinkKind, payload: Uint8Array, nowMs: number): void {
    const link = this.linksLost;
    this.awaiting.set(kind, link);
    const settle = () => {
      if (this.awaiting.get(kind) === link) this.awaiting.delete(kind);
    };
    this.send(kind, payload, nowMs).then(settle, settle);
  }

  /** A down/{kind} message of `payloadBytes` arrived. */
  received(kind: DownlinkKind, payloadBytes: number): void {
    this.ledger.chargeRadioRx(
      messageCost(this.profile, {
        payloadBytes,
        direction: 'down',
        qos: 1,
        topicBytes: this.uplink.downlinkTopicBytes(kind),
      }),
    );
  }

  /** Charge one uplink exchange; on LoRa, also hold the next one back for the 1 % duty cycle. */
  private chargeTx(kind: SimUplinkKind, payloadBytes: number, nowMs: number): void {
    const topicBytes = this.uplink.topicBytes(kind);
    const key = `${kind}:${payloadBytes}:${topicBytes}`;
    let cost = this.txCosts.get(key);
    if (!cost) {
      cost = messageCost(this.profile, { payloadBytes, direction: 'up', qos: 1, topicBytes });
      this.txCosts.set(key, cost);
    }
    this.ledger.chargeRadioTx(cost, { event: kind === 'event' });
    if (kind === 'evidence' || kind === 'evidence-status') {
      this.counters.evidenceBytesOnAir += cost.breakdown.bytesUp + cost.breakdown.bytesDown;
      this.counters.evidenceUj += cost.energyUj;
    }
    if (this.profile.kind === 'lora') this.nextTxAllowedMs = nowMs + dutyCycleMinIntervalS(cost.airtimeMs) * 1000;
  }
}
