import type { DownlinkKind, UplinkKind } from '@tinyfleet/wire';

/** Virtual time source (ms since the unix epoch, device clock). */
export interface VirtualClock {
  nowMs(): number;
}

/** A clock the test moves by hand. */
export class FakeClock implements VirtualClock {
  constructor(private t = 0) {}
  nowMs(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * Real time scaled by `speed` from a virtual start: a virtual day passes in 24 h / speed.
 * `realNowMs` is injectable so the scaling is testable.
 */
export class ScaledClock implements VirtualClock {
  private readonly realStartMs: number;
  /** Workers share one virtual timeline by passing the same `realStartMs` (Date.now() based). */
  constructor(
    readonly virtualStartMs: number,
    readonly speed: number,
    private readonly realNowMs: () => number = () => Date.now(),
    realStartMs?: number,
  ) {
    if (!(speed > 0)) throw new RangeError('speed must be > 0');
    this.realStartMs = realStartMs ?? realNowMs();
  }
  nowMs(): number {
    return Math.floor(this.virtualStartMs + (this.realNowMs() - this.realStartMs) * this.speed);
  }
}

/**
 * The node's view of its radio + MQTT session. `publish` resolves when the platform acknowledged
 * (QoS 1 PUBACK). `generation` increments on every (re)connect, so the node can tell a stale
 * acknowledgement from a current one.
 */
export interface NodeUplink {
  readonly connected: boolean;
  readonly generation: number;
  topicBytes(kind: UplinkKind): number;
  /** Length of the node's down/{kind} topic (to price a received config or OTA message). */
  downlinkTopicBytes(kind: DownlinkKind): number;
  publish(kind: UplinkKind, payload: Uint8Array): Promise<unknown>;
  /** The device secret the platform issued (evidence is signed with a key derived from it); null before registration. */
  deviceSecret?(): string | null;
}

/** Persists the next event sequence number block so seq keeps increasing across restarts. */
export interface SeqStore {
  /** Returns the first seq this boot may use and reserves a block above it. */
  reserve(blockSize: number, atLeast: number): number;
}

export class MemorySeqStore implements SeqStore {
  constructor(private floor = 0) {}
  reserve(blockSize: number, atLeast: number): number {
    const first = Math.max(this.floor, atLeast);
    this.floor = first + blockSize;
    return first;
  }
}
