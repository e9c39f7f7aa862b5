/**
 * Greedy arena planner in the style of TFLM's GreedyMemoryPlanner: place buffers one at a time, each at the
 * lowest offset where it overlaps no already-placed buffer that is alive at the same time.
 * TFLM places in order of decreasing size only; we run several placement orders and keep the smallest
 * arena, which reaches the lower bound on all reference models (see README).
 */
import { BufferRequest, MemoryPlan, MemoryPlanner, alignUp } from './memory-planner';

type Order = (a: number, b: number) => number;

export class GreedyMemoryPlanner implements MemoryPlanner {
  /** `tflmOrderOnly`: place in TFLM's order alone (to reproduce TFLM's arena in comparisons). */
  constructor(private readonly tflmOrderOnly = false) {}

  plan(requests: readonly BufferRequest[]): MemoryPlan {
    const idx = requests.map((_, i) => i);
    const size = (i: number): number => alignUp(requests[i].sizeBytes);
    const span = (i: number): number => requests[i].lastUse - requests[i].firstUse;
    const orders: Order[] = [
      // TFLM's order: largest first (ties: earlier request first).
      (a, b) => size(b) - size(a) || a - b,
      // Longest-lived first, then largest.
      (a, b) => span(b) - span(a) || size(b) - size(a) || a - b,
      // Largest area (bytes x lifetime) first.
      (a, b) => size(b) * (span(b) + 1) - size(a) * (span(a) + 1) || a - b,
      // Earliest first use, larger first.
      (a, b) => requests[a].firstUse - requests[b].firstUse || size(b) - size(a) || a - b,
    ];
    let best: MemoryPlan | null = null;
    for (const order of this.tflmOrderOnly ? orders.slice(0, 1) : orders) {
      const plan = placeInOrder(requests, [...idx].sort(order));
      if (best === null || plan.arenaBytes < best.arenaBytes) best = plan;
    }
    return best ?? { offsets: [], arenaBytes: 0 };
  }
}

function placeInOrder(requests: readonly BufferRequest[], order: number[]): MemoryPlan {
  const offsets = new Array<number>(requests.length).fill(0);
  const placed: number[] = [];
  let arenaBytes = 0;
  for (const i of order) {
    const r = requests[i];
    const bytes = alignUp(r.sizeBytes);
    // Buffers alive at the same time as r, sorted by offset.
    const conflicts = placed
      .filter((j) => requests[j].firstUse <= r.lastUse && r.firstUse <= requests[j].lastUse)
      .sort((a, b) => offsets[a] - offsets[b]);
    let candidate = 0;
    for (const j of conflicts) {
      if (candidate + bytes <= offsets[j]) break;
      candidate = Math.max(candidate, offsets[j] + alignUp(requests[j].sizeBytes));
    }
    offsets[i] = candidate;
    placed.push(i);
    arenaBytes = Math.max(arenaBytes, candidate + bytes);
  }
  return { offsets, arenaBytes };
}
