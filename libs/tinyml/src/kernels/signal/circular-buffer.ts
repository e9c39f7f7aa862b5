/**
 * The int16 ring buffer of TFLM's signal library (signal/src/circular_buffer.cc) that SignalFramer,
 * SignalStacker and SignalDelay keep their state in. Like TFLM it stores every sample twice (at i and at
 * i + capacity), so a window that wraps can still be read in one piece; the doubled storage is part of what
 * the device holds (see circularBufferLayout).
 *
 * Only the operations those kernels call are here; each keeps TFLM's read / write / empty bookkeeping exactly,
 * including Extend's copies of the most recent `count` samples (Stacker's left-context padding).
 */
import type { Field, StructLayout } from '../../memory/device-layout';

/**
 * CircularBufferGetNeededMemory(capacity) as one allocation: the CircularBuffer struct (size_t capacity, read,
 * write; int32 empty, buffer_size; int16* buffer) followed by its 2 * capacity int16 samples.
 */
export function circularBufferLayout(capacity: number): StructLayout {
  return {
    name: `CircularBuffer (capacity ${capacity})`,
    fields: ['ptr', 'ptr', 'ptr', 'i32', 'i32', 'ptr', ...Array<Field>(2 * capacity).fill('i16')],
  };
}

export class CircularBufferInt16 {
  private read = 0;
  private writeIndex = 0;
  private empty = true;
  /** Samples at [i] and [i + capacity] (TFLM's buffer_size = 2 * capacity). */
  private readonly buffer: Int16Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`bad circular buffer capacity ${capacity}`);
    this.buffer = new Int16Array(2 * capacity);
  }

  /** CircularBufferReset: empty, indices at 0, storage zeroed. */
  reset(): void {
    this.read = 0;
    this.writeIndex = 0;
    this.empty = true;
    this.buffer.fill(0);
  }

  /** CircularBufferAvailable: samples ready to read. */
  available(): number {
    const diff = this.writeIndex - this.read;
    if (diff > 0) return diff;
    if (diff < 0) return this.capacity + diff;
    return this.empty ? 0 : this.capacity;
  }

  /** CircularBufferWrite of values[start .. start + n). TFLM asserts there is room; callers size it so. */
  write(values: Int16Array, start: number, n: number): void {
    if (n <= 0) return;
    const { buffer, capacity } = this;
    const w = this.writeIndex;
    const end = w + n;
    for (let i = 0; i < n; i++) buffer[w + i] = values[start + i];
    if (end < capacity) {
      for (let i = 0; i < n; i++) buffer[capacity + w + i] = values[start + i];
      this.writeIndex = end;
    } else {
      const n1 = capacity - w;
      for (let i = 0; i < n1; i++) buffer[capacity + w + i] = values[start + i];
      for (let i = n1; i < n; i++) buffer[i - n1] = values[start + i];
      this.writeIndex = end - capacity;
    }
    this.empty = false;
  }

  /** CircularBufferWriteZeros. */
  writeZeros(n: number): void {
    if (n <= 0) return;
    const { buffer, capacity } = this;
    const w = this.writeIndex;
    const end = w + n;
    buffer.fill(0, w, Math.min(end, 2 * capacity));
    if (end < capacity) {
      buffer.fill(0, capacity + w, capacity + end);
      this.writeIndex = end;
    } else {
      buffer.fill(0, capacity + w, 2 * capacity);
      buffer.fill(0, 0, end - capacity);
      this.writeIndex = end - capacity;
    }
    this.empty = false;
  }

  /**
   * CircularBufferExtend: writes the last `count` samples written `n` more times. The source region is read
   * from the buffer while it is being appended to, in TFLM's order (one or two Write calls per copy).
   */
  extend(count: number, n: number): void {
    if (n <= 0 || count <= 0) return;
    const capacity = this.capacity;
    const start = count > this.writeIndex ? this.writeIndex + capacity - count : this.writeIndex - count;
    const end = start + count;
    for (let i = 0; i < n; i++) {
      if (end <= capacity) {
        this.write(this.buffer, start, count);
      } else {
        const n1 = capacity - start;
        this.write(this.buffer, start, n1);
        this.write(this.buffer, 0, count - n1);
      }
    }
  }

  /** CircularBufferGet: copies the next n samples to out[o..] without consuming them. */
  get(n: number, out: Int16Array, o: number): void {
    // The doubled storage makes [read, read + n) contiguous for n <= capacity.
    const { buffer, read } = this;
    for (let i = 0; i < n; i++) out[o + i] = buffer[read + i];
  }

  /** CircularBufferDiscard: consumes n samples. */
  discard(n: number): void {
    this.read += n;
    if (this.read >= this.capacity) this.read -= this.capacity;
    if (this.read === this.writeIndex) this.empty = true;
  }
}
