import type { InferenceEventV1 } from '@tinyfleet/wire';

/**
 * The node's bounded event buffer (RAM). Events stay here until the platform acknowledges them
 * (QoS 1 PUBACK), so a link lost with messages in flight loses nothing: they are sent again.
 * Overflow drops the oldest unsent event and counts it; the count goes out in every status.
 */
export class OfflineBuffer {
  private readonly events: InferenceEventV1[] = [];
  private readonly inFlight = new Set<number>();
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('buffer capacity must be ≥ 1');
  }

  get size(): number {
    return this.events.length;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  push(e: InferenceEventV1): void {
    if (this.events.length >= this.capacity) {
      const victim = this.events.findIndex((x) => !this.inFlight.has(x.seq));
      // Everything in flight (capacity ≤ send window): the new event is the one that cannot be kept.
      if (victim < 0) {
        this.dropped++;
        return;
      }
      this.events.splice(victim, 1);
      this.dropped++;
    }
    this.events.push(e);
  }

  /** Oldest event not yet in flight, marked in flight; undefined when none. */
  takeNext(): InferenceEventV1 | undefined {
    for (const e of this.events) {
      if (!this.inFlight.has(e.seq)) {
        this.inFlight.add(e.seq);
        return e;
      }
    }
    return undefined;
  }

  /** The platform has it: forget it (also when the ack belongs to a send from before a reconnect). */
  ack(seq: number): void {
    this.inFlight.delete(seq);
    const i = this.events.findIndex((x) => x.seq === seq);
    if (i >= 0) this.events.splice(i, 1);
  }

  /** A send failed without the link going down: send it again later. */
  release(seq: number): void {
    this.inFlight.delete(seq);
  }

  /** Link lost: whatever was in flight is unsent again (the platform dedups a duplicate). */
  requeueInFlight(): void {
    this.inFlight.clear();
  }
}
