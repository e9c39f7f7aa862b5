/** A tensor's arena request: its size and the operator steps during which it must stay intact. */
export interface BufferRequest {
  sizeBytes: number;
  /** First operator index that writes or reads it (0 for graph inputs). */
  firstUse: number;
  /** Last operator index that reads it (the last operator for graph outputs). */
  lastUse: number;
}

export interface MemoryPlan {
  /** Arena offset of each request, in request order. */
  offsets: number[];
  arenaBytes: number;
}

/** Assigns arena offsets so that buffers alive at the same time never overlap. */
export interface MemoryPlanner {
  plan(requests: readonly BufferRequest[]): MemoryPlan;
}

/** Arena alignment of every buffer, as TFLM's MicroArenaBufferAlignment(). */
export const ARENA_ALIGNMENT_BYTES = 16;

export function alignUp(n: number, alignment = ARENA_ALIGNMENT_BYTES): number {
  return Math.ceil(n / alignment) * alignment;
}

/**
 * The lower bound of any plan: the largest total size of buffers simultaneously alive at one step
 * (sizes aligned as the planner aligns them).
 */
export function lowerBoundBytes(requests: readonly BufferRequest[]): number {
  let steps = 0;
  for (const r of requests) steps = Math.max(steps, r.lastUse + 1);
  let best = 0;
  for (let t = 0; t < steps; t++) {
    let live = 0;
    for (const r of requests) if (r.firstUse <= t && t <= r.lastUse) live += alignUp(r.sizeBytes);
    best = Math.max(best, live);
  }
  return best;
}
