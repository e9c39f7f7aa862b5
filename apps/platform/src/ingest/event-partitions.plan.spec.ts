import { dayPartition, DAY_MS, EventPartition, PARTITION_DAYS_AHEAD, planPartitions } from './event-partitions.plan';

const at = (iso: string) => new Date(iso);
const days = (from: string, n: number): EventPartition[] =>
  Array.from({ length: n }, (_, i) => dayPartition(new Date(at(from).getTime() + i * DAY_MS)));

describe('planPartitions', () => {
  const now = at('2026-12-02T12:00:00Z');

  it('names a UTC day and bounds it at midnights', () => {
    expect(dayPartition(at('2026-12-02T23:59:59.999Z'))).toEqual({
      name: 'device_events_p20261202',
      from: at('2026-12-02T00:00:00Z'),
      to: at('2026-12-03T00:00:00Z'),
    });
  });

  it('creates today and the days ahead that are missing, and nothing once they exist', () => {
    const first = planPartitions(now, days('2026-12-01T00:00:00Z', 3), 0);
    expect(first.create.map((p) => p.name)).toEqual(
      days('2026-12-04T00:00:00Z', PARTITION_DAYS_AHEAD - 1).map((p) => p.name),
    );
    expect(first).toMatchObject({ drop: [], prunedBefore: null });
    const again = planPartitions(now, [...days('2026-12-01T00:00:00Z', 3), ...first.create], 0);
    expect(again.create).toEqual([]);
  });

  it('leaves a day alone that an existing partition overlaps, whatever its bounds', () => {
    const odd: EventPartition = { name: 'manual', from: at('2026-12-03T06:00:00Z'), to: at('2026-12-05T06:00:00Z') };
    const names = planPartitions(now, [odd], 0).create.map((p) => p.name);
    expect(names).not.toContain('device_events_p20261203');
    expect(names).not.toContain('device_events_p20261205');
    expect(names).toContain('device_events_p20261202');
    expect(names).toContain('device_events_p20261206');
  });

  it('drops exactly the partitions wholly older than the cutoff, and prunes DEFAULT up to the oldest kept', () => {
    // 90 days back from 2026-12-02T12:00Z is 2026-09-03T12:00Z: the 2026-09-03 partition holds rows on both sides.
    const existing = days('2026-08-30T00:00:00Z', 100);
    const plan = planPartitions(now, existing, 90);
    expect(plan.drop).toEqual(days('2026-08-30T00:00:00Z', 4).map((p) => p.name));
    expect(plan.prunedBefore).toEqual(at('2026-09-03T00:00:00Z'));
    expect(planPartitions(now, existing, 0).drop).toEqual([]);
  });

  it('prunes DEFAULT up to the cutoff when no partition straddles it', () => {
    // The partitions of 2026-11-30 and 2026-12-01 were dropped by hand.
    const plan = planPartitions(now, [...days('2026-11-29T00:00:00Z', 1), ...days('2026-12-02T00:00:00Z', 1)], 1);
    expect(plan.drop).toEqual(['device_events_p20261129']);
    expect(plan.prunedBefore).toEqual(at('2026-12-01T12:00:00Z'));
  });

  it('refuses a retention that is not a whole number of days', () => {
    expect(() => planPartitions(now, [], -1)).toThrow(RangeError);
    expect(() => planPartitions(now, [], 1.5)).toThrow(RangeError);
  });
});
