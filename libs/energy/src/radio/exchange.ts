/**
 * Accumulates one radio exchange (everything the node's radio does for one message) and turns it into
 * a MessageCost. Energy in µJ = current (mA) × supply (V) × time (ms).
 */
export type Direction = 'up' | 'down';

export interface MessageOptions {
  /** Application payload (the inference conclusion or raw sample), bytes. */
  readonly payloadBytes: number;
  /** 'up' = node → cloud, 'down' = cloud → node. */
  readonly direction: Direction;
  /** MQTT QoS 0 or 1 (QoS 1 adds the packet id and a PUBACK; LoRaWAN: confirmed frame + ACK). */
  readonly qos: 0 | 1;
  /** MQTT topic length; default DEFAULT_TOPIC_BYTES. Ignored by links that carry no MQTT topic on air. */
  readonly topicBytes?: number;
}

/** `fleet/<12-char device id>/evt` ≈ 24 B — [ASSUME] tunable. */
export const DEFAULT_TOPIC_BYTES = 24;

export interface ByteCounts {
  /** Application payload bytes carried (counted once per exchange). */
  payload?: number;
  /** MQTT / MQTT-SN headers. */
  application?: number;
  /** TCP/IP/TLS, 6LoWPAN/UDP, L2CAP/ATT, LTE PDCP/RLC/MAC. */
  transport?: number;
  /** Link/PHY framing counted as bytes (BLE LL, 802.11 MAC, 802.15.4 PHY+MAC, LoRaWAN MAC + PHY CRC) and pure link frames (ACKs). */
  link?: number;
}

export interface MessageCostBreakdown {
  readonly wakeUj: number;
  readonly txUj: number;
  readonly rxUj: number;
  /** Radio listening or CPU busy while no frame is on air: RTT waits, LoRa RX windows, BLE post-processing, CCA, turnarounds. */
  readonly waitUj: number;
  readonly txAirtimeMs: number;
  readonly rxAirtimeMs: number;
  readonly payloadBytes: number;
  readonly applicationHeaderBytes: number;
  readonly transportHeaderBytes: number;
  readonly linkHeaderBytes: number;
  /** Bytes the node transmitted / received (sum = bytesOnAir). */
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly framesUp: number;
  readonly framesDown: number;
  /** Wall time the exchange keeps the node awake (the ledger does not charge it as sleep). */
  readonly durationMs: number;
}

export interface MessageCost {
  readonly energyUj: number;
  /** Time on air of every frame in the exchange, both directions. */
  readonly airtimeMs: number;
  /** Every byte on air in both directions, all overheads included (see protocol-overheads.ts). */
  readonly bytesOnAir: number;
  readonly breakdown: MessageCostBreakdown;
}

export class Exchange {
  private wakeUj = 0;
  private txUj = 0;
  private rxUj = 0;
  private waitUj = 0;
  private txAirMs = 0;
  private rxAirMs = 0;
  private payload = 0;
  private application = 0;
  private transport = 0;
  private link = 0;
  private up = 0;
  private down = 0;
  private framesUp = 0;
  private framesDown = 0;
  private durationMs = 0;

  constructor(private readonly supplyV: number) {}

  wake(ms: number, currentMa: number): this {
    this.wakeUj += ms * currentMa * this.supplyV;
    this.durationMs += ms;
    return this;
  }

  wait(ms: number, currentMa: number): this {
    this.waitUj += ms * currentMa * this.supplyV;
    this.durationMs += ms;
    return this;
  }

  /** A frame the node sends: `airMs` on air plus `overheadMs` of ramp-up at the same current. */
  tx(bytes: ByteCounts, airMs: number, currentMa: number, overheadMs = 0): this {
    this.txUj += (airMs + overheadMs) * currentMa * this.supplyV;
    this.txAirMs += airMs;
    this.durationMs += airMs + overheadMs;
    this.framesUp += 1;
    this.up += this.count(bytes);
    return this;
  }

  rx(bytes: ByteCounts, airMs: number, currentMa: number, overheadMs = 0): this {
    this.rxUj += (airMs + overheadMs) * currentMa * this.supplyV;
    this.rxAirMs += airMs;
    this.durationMs += airMs + overheadMs;
    this.framesDown += 1;
    this.down += this.count(bytes);
    return this;
  }

  /** Merge another exchange of the same supply (e.g. a connect made of several handshakes). */
  add(other: MessageCost): this {
    const b = other.breakdown;
    this.wakeUj += b.wakeUj;
    this.txUj += b.txUj;
    this.rxUj += b.rxUj;
    this.waitUj += b.waitUj;
    this.txAirMs += b.txAirtimeMs;
    this.rxAirMs += b.rxAirtimeMs;
    this.payload += b.payloadBytes;
    this.application += b.applicationHeaderBytes;
    this.transport += b.transportHeaderBytes;
    this.link += b.linkHeaderBytes;
    this.up += b.bytesUp;
    this.down += b.bytesDown;
    this.framesUp += b.framesUp;
    this.framesDown += b.framesDown;
    this.durationMs += b.durationMs;
    return this;
  }

  /** Energy not tied to modelled frames (e.g. a measured association cost), booked as wait. */
  lumpUj(energyUj: number, durationMs: number): this {
    this.waitUj += energyUj;
    this.durationMs += durationMs;
    return this;
  }

  build(): MessageCost {
    const breakdown: MessageCostBreakdown = {
      wakeUj: this.wakeUj,
      txUj: this.txUj,
      rxUj: this.rxUj,
      waitUj: this.waitUj,
      txAirtimeMs: this.txAirMs,
      rxAirtimeMs: this.rxAirMs,
      payloadBytes: this.payload,
      applicationHeaderBytes: this.application,
      transportHeaderBytes: this.transport,
      linkHeaderBytes: this.link,
      bytesUp: this.up,
      bytesDown: this.down,
      framesUp: this.framesUp,
      framesDown: this.framesDown,
      durationMs: this.durationMs,
    };
    return {
      energyUj: this.wakeUj + this.txUj + this.rxUj + this.waitUj,
      airtimeMs: this.txAirMs + this.rxAirMs,
      bytesOnAir: this.up + this.down,
      breakdown,
    };
  }

  private count(b: ByteCounts): number {
    const payload = b.payload ?? 0;
    const application = b.application ?? 0;
    const transport = b.transport ?? 0;
    const link = b.link ?? 0;
    this.payload += payload;
    this.application += application;
    this.transport += transport;
    this.link += link;
    return payload + application + transport + link;
  }
}

/** Split `total` bytes into chunks of at most `capacity` (at least one chunk, possibly empty). */
export function chunks(total: number, capacity: number): number[] {
  if (capacity <= 0) throw new RangeError('chunk capacity must be positive');
  const out: number[] = [];
  let left = total;
  do {
    out.push(Math.min(left, capacity));
    left -= capacity;
  } while (left > 0);
  return out;
}

/** Split a message of `application` header bytes followed by `payload` bytes into chunks (header first). */
export function splitMessage(
  application: number,
  payload: number,
  capacity: number,
): Array<{ application: number; payload: number }> {
  return chunks(application + payload, capacity).map((size, i, all) => {
    const start = all.slice(0, i).reduce((s, v) => s + v, 0);
    const headerInChunk = Math.max(0, Math.min(size, application - start));
    return { application: headerInChunk, payload: size - headerInChunk };
  });
}
