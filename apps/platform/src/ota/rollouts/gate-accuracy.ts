import type { DataSource } from 'typeorm';
import { readAccuracySamples } from '../../accuracy/accuracy-reports.query';
import { accuracyDeltas, AccuracyTotals, sumAccuracy } from '../../accuracy/accuracy-window';

/** Whose accuracy a gate side counts: given model tags (the new model's), or on each device the model it runs now. */
export type SideModels = { tags: number[] } | 'active-slot';

/**
 * On-device accuracy of a gate side's devices (`devicesSql` selects `device_id`) over [since, now] on
 * the platform clock — the clock group start times and the event-based gates use (simulated devices
 * may run a virtual clock far ahead of it).
 */
export async function sideAccuracy(
  db: DataSource,
  devicesSql: string,
  params: unknown[],
  models: SideModels,
  since: Date,
  now: Date,
): Promise<AccuracyTotals & { devices: number }> {
  const devices: Array<{ id: string; active_tag: number | null }> = await db.query(
    `WITH d AS (${devicesSql})
     SELECT dv.id, dv.active_model_tag::float8 AS active_tag
     FROM devices dv WHERE dv.id IN (SELECT device_id FROM d)`,
    params,
  );
  const runs = new Map(devices.map((d) => [d.id, d.active_tag]));
  const tags =
    models === 'active-slot'
      ? [...new Set(devices.flatMap((d) => (d.active_tag === null ? [] : [d.active_tag])))]
      : models.tags;
  const samples = await readAccuracySamples(db, {
    deviceIds: devices.map((d) => d.id),
    modelTags: tags,
    clock: 'received',
    sinceMs: since.getTime(),
    nowMs: now.getTime(),
  });
  const counted = models === 'active-slot' ? samples.filter((s) => s.modelTag === runs.get(s.deviceId)) : samples;
  const deltas = accuracyDeltas(counted, since.getTime(), now.getTime());
  return { ...sumAccuracy(deltas), devices: new Set(deltas.map((d) => d.deviceId)).size };
}
