export const DAY_MS = 86_400_000;

/** Day partitions kept ready ahead of today, so a late or failed tick never sends events to DEFAULT. */
export const PARTITION_DAYS_AHEAD = 7;

/** A range partition of device_events: rows with `from` ≤ received_at < `to`. */
export interface EventPartition {
  name: string;
  from: Date;
  to: Date;
}

/**
 * What one maintenance tick does: create the missing day partitions, drop the partitions wholly
 * older than the retention cutoff, and delete the DEFAULT-partition rows received before
 * `prunedBefore` — the oldest partition that stays, so a row in DEFAULT is kept as long as a row of
 * the same day in a partition would be. Every row goes with its dedup key, and only then: a
 * re-send of a stored event is recognised for as long as the event is kept.
 */
export interface PartitionPlan {
  create: EventPartition[];
  drop: string[];
  prunedBefore: Date | null;
}

/** The partition of the UTC day that contains `t`: `device_events_pYYYYMMDD`. */
export function dayPartition(t: Date): EventPartition {
  const fromMs = Math.floor(t.getTime() / DAY_MS) * DAY_MS;
  const from = new Date(fromMs);
  const day = from.toISOString().slice(0, 10).replaceAll('-', '');
  return { name: `device_events_p${day}`, from, to: new Date(fromMs + DAY_MS) };
}

/**
 * The plan for `now`, given the range partitions that exist. Days overlapping an existing
 * partition are left as they are; with `retentionDays` 0 nothing is dropped.
 */
export function planPartitions(now: Date, existing: readonly EventPartition[], retentionDays: number): PartitionPlan {
  if (!Number.isInteger(retentionDays) || retentionDays < 0)
    throw new RangeError(`retentionDays must be a non-negative integer, not ${retentionDays}`);
  const overlaps = (a: EventPartition, b: EventPartition) => a.from < b.to && b.from < a.to;
  const create: EventPartition[] = [];
  for (let d = 0; d <= PARTITION_DAYS_AHEAD; d++) {
    const p = dayPartition(new Date(now.getTime() + d * DAY_MS));
    if (!existing.some((e) => overlaps(e, p))) create.push(p);
  }
  if (retentionDays === 0) return { create, drop: [], prunedBefore: null };
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
  const drop = existing.filter((p) => p.to <= cutoff);
  const kept = [...existing.filter((p) => p.to > cutoff), ...create];
  const oldestKeptMs = Math.min(cutoff.getTime(), ...kept.map((p) => p.from.getTime()));
  return { create, drop: drop.map((p) => p.name), prunedBefore: new Date(oldestKeptMs) };
}
