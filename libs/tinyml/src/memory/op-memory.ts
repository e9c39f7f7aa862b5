/**
 * What one operator asked for in prepare(), in TFLM's terms: persistent buffers (builtin options, OpData,
 * per-channel arrays: kept for the interpreter's life), scratch buffers (planned in the arena for the op's own
 * eval only) and host-only memory (our speed-ups, which a device would not hold).
 */
import type { DType } from '../schema/tflite-schema';
import { StructLayout, alignOf, sizeOf } from './device-layout';
import { ARENA_ALIGNMENT_BYTES } from './memory-planner';

export interface PersistentRecord {
  what: string;
  /** Bytes and alignment of the allocation at a given pointer width. */
  bytes(pointerBytes: number): number;
  align(pointerBytes: number): number;
  /**
   * TFLM's order: builtin options are parsed for all ops, then every Init runs (OpData), then every Prepare
   * (per-channel arrays, tables). The order only moves alignment padding.
   */
  phase: 'builtin' | 'init' | 'prepare';
}

export interface ScratchRequest {
  what: string;
  dtype: DType;
  elementCount: number;
  sizeBytes: number;
}

export interface HostOnlyRecord {
  what: string;
  bytes: number;
}

export class OpMemory {
  readonly persistent: PersistentRecord[] = [];
  readonly scratch: ScratchRequest[] = [];
  readonly hostOnly: HostOnlyRecord[] = [];

  addStruct(layout: StructLayout, phase: 'builtin' | 'init'): void {
    this.persistent.push({
      what: layout.name,
      bytes: (p) => sizeOf(layout, p),
      // Kernels allocate OpData through AllocatePersistentBuffer (arena alignment); the builtin-data
      // allocator passes alignof(struct).
      align: (p) => (phase === 'init' ? ARENA_ALIGNMENT_BYTES : alignOf(layout, p)),
      phase,
    });
  }

  addArray(what: string, bytes: number): void {
    this.persistent.push({ what, bytes: () => bytes, align: () => ARENA_ALIGNMENT_BYTES, phase: 'prepare' });
  }

  /** Persistent bytes of this op at a pointer width, each allocation rounded up to its alignment. */
  persistentBytes(pointerBytes: number): number {
    return this.persistent.reduce((s, r) => s + alignTo(r.bytes(pointerBytes), r.align(pointerBytes)), 0);
  }

  scratchBytes(): number {
    return this.scratch.reduce((s, r) => s + r.sizeBytes, 0);
  }

  hostOnlyBytes(): number {
    return this.hostOnly.reduce((s, r) => s + r.bytes, 0);
  }
}

export function alignTo(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
