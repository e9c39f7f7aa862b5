import { diffSnapshots, SnapshotRow, totalsByDevice } from './energy-counters';

const H = 3_600_000;
const snap = (
  bootId: number,
  seq: number,
  t: number,
  computeUj: number,
  extra: Record<string, number> = {},
  baseline = false,
): SnapshotRow => ({
  deviceId: 'dev-a',
  bootId,
  seq,
  virtualTimeMs: t,
  counters: { computeUj, radioTxUj: computeUj / 2, samples: seq * 10 + 10, ...extra },
  baseline,
});

describe('diffSnapshots: cumulative counters → intervals', () => {
  // Boot 7: cumulative compute 100 → 300 → 500 µJ at 0 h, 1 h, 2 h. The device reboots (boot 9) and
  // starts from zero: 40 → 140 µJ at 3 h, 4 h. Hand sums: boot 7 counts 100 (its first snapshot, from
  // zero) + 200 + 200 = 500; boot 9 counts 40 + 100 = 140; total 640 µJ, radio TX half of it (320).
  // Observed time: 1 h + 1 h (boot 7) + 1 h (boot 9); a boot's first snapshot has no known start.
  const rows = [
    snap(7, 0, 0, 100),
    snap(7, 1, H, 300),
    snap(7, 2, 2 * H, 500),
    snap(9, 0, 3 * H, 40),
    snap(9, 1, 4 * H, 140),
  ];

  it('sums deltas per boot, counting a reboot from zero (no negative, no lost energy)', () => {
    const d = diffSnapshots(rows);
    expect(d.intervals.map((i) => i.delta.computeUj)).toEqual([100, 200, 200, 40, 100]);
    expect(d.intervals.every((i) => Object.values(i.delta).every((v) => v >= 0))).toBe(true);
    expect(d.reboots).toBe(1);
    const t = totalsByDevice(d.intervals).get('dev-a')!;
    expect(t.counters.computeUj).toBe(640);
    expect(t.counters.radioTxUj).toBe(320);
    expect(t.observedMs).toBe(3 * H);
    expect(t.boots).toBe(2);
    expect(t.counters.samples).toBe(30 + 20); // boot 7: 10 → 30; boot 9: 10 → 20
  });

  it('ignores duplicates and re-orders out-of-order snapshots (boots ordered by time, not by id)', () => {
    const shuffled = [rows[4]!, rows[1]!, rows[3]!, { ...rows[1]! }, rows[0]!, rows[2]!, { ...rows[4]! }];
    const d = diffSnapshots(shuffled);
    expect(d.duplicates).toBe(2);
    expect(totalsByDevice(d.intervals).get('dev-a')!.counters.computeUj).toBe(640);
    const rebootFirst = diffSnapshots([snap(1, 0, 5 * H, 10), snap(99, 0, 0, 100), snap(99, 1, H, 150)]);
    expect(rebootFirst.intervals.map((i) => [i.bootId, i.delta.computeUj])).toEqual([
      ['99', 100],
      ['99', 50],
      ['1', 10],
    ]);
  });

  it('diffs the first in-range snapshot against the baseline before the range, and never counts the baseline', () => {
    const d = diffSnapshots([snap(7, 0, 0, 100, {}, true), snap(7, 1, H, 300), snap(7, 2, 2 * H, 500)]);
    expect(d.intervals.map((i) => i.delta.computeUj)).toEqual([200, 200]);
    expect(totalsByDevice(d.intervals).get('dev-a')!.observedMs).toBe(2 * H);
    // the same snapshot as baseline and in range (boundary): the in-range copy counts
    const dup = diffSnapshots([snap(7, 1, H, 300, {}, true), snap(7, 1, H, 300)]);
    expect(dup.intervals.map((i) => i.delta.computeUj)).toEqual([300]);
  });

  it('treats an energy counter going down inside one boot as a restart from zero', () => {
    const d = diffSnapshots([snap(7, 0, 0, 100), snap(7, 1, H, 300), snap(7, 2, 2 * H, 50)]);
    expect(d.resetsWithoutNewBoot).toBe(1);
    expect(d.intervals.map((i) => i.delta.computeUj)).toEqual([100, 200, 50]);
  });

  it('reads missing, negative or garbage counters as zero', () => {
    const d = diffSnapshots([
      {
        deviceId: 'x',
        bootId: '1',
        seq: 0,
        virtualTimeMs: 0,
        counters: { computeUj: 'abc', sleepUj: -5, bytesUp: null },
      },
    ]);
    expect(d.intervals[0]!.delta.computeUj).toBe(0);
    expect(d.intervals[0]!.delta.sleepUj).toBe(0);
  });

  it('filters intervals by the time they end in', () => {
    const d = diffSnapshots(rows);
    const t = totalsByDevice(d.intervals, H, 3 * H).get('dev-a')!;
    expect(t.counters.computeUj).toBe(400);
    expect(t.intervals).toBe(2);
    expect(totalsByDevice(d.intervals, 10 * H, 11 * H).size).toBe(0);
  });
});
