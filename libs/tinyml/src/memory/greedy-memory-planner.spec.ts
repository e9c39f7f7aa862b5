import { GreedyMemoryPlanner } from './greedy-memory-planner';
import { lowerBoundBytes } from './memory-planner';

describe('GreedyMemoryPlanner', () => {
  const planner = new GreedyMemoryPlanner();

  it('reuses memory of buffers that are no longer live (chain of ops)', () => {
    // t0 -> op0 -> t1 -> op1 -> t2 -> op2 -> t3
    const requests = [
      { sizeBytes: 100, firstUse: 0, lastUse: 0 },
      { sizeBytes: 200, firstUse: 0, lastUse: 1 },
      { sizeBytes: 50, firstUse: 1, lastUse: 2 },
      { sizeBytes: 64, firstUse: 2, lastUse: 2 },
    ];
    const plan = planner.plan(requests);
    // Sizes are aligned to 16: 112, 208, 64, 64. Largest first: 208 at 0, 112 after it, the 64-byte buffer of
    // step 1..2 reuses the dead input's slot, and the last one reuses offset 0 once the 208-byte buffer is dead.
    expect(plan.offsets).toEqual([208, 0, 208, 0]);
    expect(plan.arenaBytes).toBe(320);
    expect(lowerBoundBytes(requests)).toBe(320);
  });

  it('places simultaneously live buffers side by side and reaches the lower bound', () => {
    const requests = [
      { sizeBytes: 32, firstUse: 0, lastUse: 3 },
      { sizeBytes: 16, firstUse: 0, lastUse: 1 },
      { sizeBytes: 16, firstUse: 2, lastUse: 3 },
      { sizeBytes: 48, firstUse: 1, lastUse: 2 },
    ];
    const plan = planner.plan(requests);
    expect(plan.offsets).toEqual([48, 80, 80, 0]);
    expect(plan.arenaBytes).toBe(96);
    expect(plan.arenaBytes).toBe(lowerBoundBytes(requests));
  });

  it('handles an empty request list', () => {
    expect(planner.plan([])).toEqual({ offsets: [], arenaBytes: 0 });
  });

  it('never overlaps buffers with overlapping lifetimes (random graphs)', () => {
    let seed = 1;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const requests = Array.from({ length: 1 + rnd(12) }, () => {
        const firstUse = rnd(10);
        return { sizeBytes: 1 + rnd(500), firstUse, lastUse: firstUse + rnd(4) };
      });
      const { offsets, arenaBytes } = planner.plan(requests);
      expect(arenaBytes).toBeGreaterThanOrEqual(lowerBoundBytes(requests));
      for (let i = 0; i < requests.length; i++) {
        for (let j = i + 1; j < requests.length; j++) {
          const a = requests[i];
          const b = requests[j];
          const timeOverlap = a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
          const spaceOverlap = offsets[i] < offsets[j] + b.sizeBytes && offsets[j] < offsets[i] + a.sizeBytes;
          expect(timeOverlap && spaceOverlap).toBe(false);
        }
      }
    }
  });
});
