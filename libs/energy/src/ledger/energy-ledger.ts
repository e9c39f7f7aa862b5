import type { McuProfile } from '../mcu/mcu-profiles';
import { connectCost, messageCost } from '../radio/message-cost';
import type { MessageCost } from '../radio/exchange';
import { radioSleepPowerUw, RadioProfile } from '../radio/radio-profiles';

/**
 * Cumulative counters since boot, as they go on the wire (EnergySnapshotV1 in @tinyfleet/wire uses the
 * same names). Energies are integer µJ, bytes are bytes on air with every protocol overhead.
 */
export interface EnergySnapshot {
  readonly computeUj: number;
  readonly radioTxUj: number;
  readonly radioRxUj: number;
  /** Link set-up and link maintenance (connects, keep-alives). */
  readonly radioConnectUj: number;
  readonly sensingUj: number;
  readonly sleepUj: number;
  /** Counterfactual: radio energy had every raw sample been sent over the same radio. */
  readonly rawRadioUj: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly rawBytesUp: number;
  readonly inferences: number;
  readonly events: number;
  readonly messagesUp: number;
  readonly rawMessagesUp: number;
  readonly samples: number;
}

type Counter = keyof EnergySnapshot;

/** Every counter of a snapshot, in wire order (EnergySnapshotV1 carries exactly these). */
export const LEDGER_COUNTERS: readonly Counter[] = [
  'computeUj',
  'radioTxUj',
  'radioRxUj',
  'radioConnectUj',
  'sensingUj',
  'sleepUj',
  'rawRadioUj',
  'bytesUp',
  'bytesDown',
  'rawBytesUp',
  'inferences',
  'events',
  'messagesUp',
  'rawMessagesUp',
  'samples',
];

export interface EnergyLedgerOptions {
  readonly mcu: McuProfile;
  readonly radio: RadioProfile;
  /** Virtual time the ledger starts at (ms). */
  readonly startMs?: number;
  /** Node floor while asleep, µW. Default: MCU sleep + radio sleep. Pass a board figure for hobby boards. */
  readonly sleepFloorUw?: number;
  /** QoS and topic used for the raw-streaming counterfactual (default QoS 0, default topic). */
  readonly rawQos?: 0 | 1;
  readonly rawTopicBytes?: number;
  /**
   * Charge a full connect for every raw message too — set it when the real node reconnects per message
   * (Wi-Fi or cellular from deep sleep/PSM), so the counterfactual pays what the real node pays.
   */
  readonly rawConnectPerMessage?: boolean;
}

/**
 * The joule ledger of one simulated node. Charges are fractional µJ kept in doubles; snapshots round
 * to integers and never decrease (monotone rounding), so consecutive snapshots diff cleanly. Sleep is
 * charged from virtual time: whatever part of the elapsed time was not spent in a charged activity.
 */
export class EnergyLedger {
  private readonly exact: Record<Counter, number> = Object.fromEntries(LEDGER_COUNTERS.map((c) => [c, 0])) as Record<
    Counter,
    number
  >;
  private readonly reported: Record<Counter, number> = Object.fromEntries(LEDGER_COUNTERS.map((c) => [c, 0])) as Record<
    Counter,
    number
  >;
  private readonly sleepFloorUw: number;
  private lastSettledMs: number;
  /** Active time charged since the last sleep settlement (may run past it). */
  private activeMs = 0;
  private readonly rawCache = new Map<number, MessageCost>();
  private rawConnect?: MessageCost;

  constructor(private readonly options: EnergyLedgerOptions) {
    this.lastSettledMs = options.startMs ?? 0;
    this.sleepFloorUw = options.sleepFloorUw ?? options.mcu.sleepPowerUw + radioSleepPowerUw(options.radio);
    if (!(this.sleepFloorUw >= 0)) throw new RangeError('sleepFloorUw must be ≥ 0');
  }

  /** MCU wake-ups from sleep (`mcu.wakeUj` each) — booked as compute: it is MCU energy. */
  chargeWake(count = 1): void {
    this.add('computeUj', this.options.mcu.wakeUj * count);
    this.activeMs += this.options.mcu.wakeMs * count;
  }

  /** One inference (or `count` identical ones): `inferenceCost(...)` result. */
  chargeCompute(cost: { energyUj: number; latencyMs: number }, count = 1): void {
    this.add('computeUj', cost.energyUj * count);
    this.add('inferences', count);
    this.activeMs += cost.latencyMs * count;
  }

  /** An uplink exchange (`messageCost(radio, { direction: 'up', ... })`); `event` marks an inference event. */
  chargeRadioTx(cost: MessageCost, options: { event?: boolean } = {}): void {
    this.add('radioTxUj', cost.energyUj);
    this.addBytes(cost);
    this.add('messagesUp', 1);
    if (options.event) this.add('events', 1);
    this.activeMs += cost.breakdown.durationMs;
  }

  /** A downlink exchange (config, OTA chunk…). */
  chargeRadioRx(cost: MessageCost): void {
    this.add('radioRxUj', cost.energyUj);
    this.addBytes(cost);
    this.activeMs += cost.breakdown.durationMs;
  }

  /** A connect (`connectCost(radio)`, with its bytes) or a keep-alive energy in µJ (`keepAliveCostUj`). */
  chargeRadioConnect(cost: MessageCost | number): void {
    if (typeof cost === 'number') {
      this.add('radioConnectUj', cost);
      return;
    }
    this.add('radioConnectUj', cost.energyUj);
    this.addBytes(cost);
    this.activeMs += cost.breakdown.durationMs;
  }

  /** `count` samples of a sensor stream (`SENSOR_PROFILES[id]`). */
  chargeSensing(sensor: { energyPerSampleUj: number; sampleDurationMs: number }, count = 1): void {
    this.add('sensingUj', sensor.energyPerSampleUj * count);
    this.add('samples', count);
    this.activeMs += sensor.sampleDurationMs * count;
  }

  /** Counterfactual: the cost of sending this raw sample over the same radio, same accounting. */
  chargeRawSample(bytes: number): void {
    let cost = this.rawCache.get(bytes);
    if (!cost) {
      cost = messageCost(this.options.radio, {
        payloadBytes: bytes,
        direction: 'up',
        qos: this.options.rawQos ?? 0,
        topicBytes: this.options.rawTopicBytes,
      });
      this.rawCache.set(bytes, cost);
    }
    let energyUj = cost.energyUj;
    let bytesUp = cost.breakdown.bytesUp;
    if (this.options.rawConnectPerMessage) {
      const connect = (this.rawConnect ??= connectCost(this.options.radio));
      energyUj += connect.energyUj;
      bytesUp += connect.breakdown.bytesUp;
    }
    this.add('rawRadioUj', energyUj);
    this.add('rawBytesUp', bytesUp);
    this.add('rawMessagesUp', 1);
  }

  /**
   * Settle sleep up to virtual time `nowMs`: (elapsed − active) × sleep floor. Active time beyond the
   * elapsed span carries over to the next settlement. Times going backwards are ignored.
   */
  chargeSleepUntil(nowMs: number): void {
    const elapsed = nowMs - this.lastSettledMs;
    if (!(elapsed > 0)) return;
    const asleepMs = Math.max(0, elapsed - this.activeMs);
    this.activeMs = Math.max(0, this.activeMs - elapsed);
    this.lastSettledMs = nowMs;
    this.add('sleepUj', (this.sleepFloorUw * asleepMs) / 1000);
  }

  /** Integer counters; each never lower than in any earlier snapshot. */
  snapshot(): EnergySnapshot {
    for (const c of LEDGER_COUNTERS) this.reported[c] = Math.max(this.reported[c], Math.round(this.exact[c]));
    return { ...this.reported };
  }

  /** Fractional totals (for tests and analysis; not for the wire). */
  exactTotals(): Readonly<Record<Counter, number>> {
    return { ...this.exact };
  }

  private add(counter: Counter, amount: number): void {
    if (!(amount >= 0) || !Number.isFinite(amount))
      throw new RangeError(`${counter}: charge must be a finite number ≥ 0, got ${amount}`);
    this.exact[counter] += amount;
  }

  private addBytes(cost: MessageCost): void {
    this.add('bytesUp', cost.breakdown.bytesUp);
    this.add('bytesDown', cost.breakdown.bytesDown);
  }
}

/** Sum of the real (non-counterfactual) energy counters, µJ. */
export function totalUj(s: EnergySnapshot): number {
  return s.computeUj + s.radioTxUj + s.radioRxUj + s.radioConnectUj + s.sensingUj + s.sleepUj;
}
