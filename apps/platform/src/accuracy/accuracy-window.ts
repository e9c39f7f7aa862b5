/**
 * Window arithmetic over cumulative accuracy counts (pure). A device reports, per model tag, the
 * inferences it checked against ground truth since boot and how many were right. The accuracy over
 * [since, now] is, for each (device, boot, tag) series, its latest counts at or before `now` minus
 * its latest counts before `since` — or minus nothing when the series has no report before `since`
 * (the boot started inside the window). A reboot is a new bootId, so a new series from zero.
 */

/** One stored report row: one model's counts since boot. */
export interface AccuracySample {
  deviceId: string;
  bootId: string;
  modelTag: number;
  /** Per boot, increasing: "latest" means the highest seq (a late re-delivery cannot win). */
  seq: number;
  /** Where the report sits on the window's clock, unix ms. */
  atMs: number;
  inferences: number;
  correct: number;
  /** Resolved at ingest from the device's last status; null when it did not name the tag. */
  modelId: string | null;
  modelVersion: string | null;
}

export interface AccuracyCounts {
  inferences: number;
  correct: number;
}

/** What one (device, boot, tag) series added inside the window. */
export interface AccuracyDelta extends AccuracyCounts {
  deviceId: string;
  bootId: string;
  modelTag: number;
  modelId: string | null;
  modelVersion: string | null;
}

export interface AccuracyTotals extends AccuracyCounts {
  /** 100 × correct ÷ inferences; null without inferences. */
  accuracyPct: number | null;
}

/** Per series, the counts added in [sinceMs, nowMs] (both inclusive); series that added nothing are left out. */
export function accuracyDeltas(samples: readonly AccuracySample[], sinceMs: number, nowMs: number): AccuracyDelta[] {
  const series = new Map<string, { before?: AccuracySample; end?: AccuracySample }>();
  const later = (a: AccuracySample | undefined, b: AccuracySample) => (a === undefined || b.seq > a.seq ? b : a);
  for (const s of samples) {
    if (s.atMs > nowMs) continue;
    const key = `${s.deviceId}\u0000${s.bootId}\u0000${s.modelTag}`;
    const entry = series.get(key) ?? {};
    entry.end = later(entry.end, s);
    if (s.atMs < sinceMs) entry.before = later(entry.before, s);
    series.set(key, entry);
  }
  const out: AccuracyDelta[] = [];
  for (const { before, end } of series.values()) {
    if (!end) continue;
    // Counts never fall within a boot; a device that breaks that adds nothing rather than a negative count.
    const inferences = Math.max(0, end.inferences - (before?.inferences ?? 0));
    const correct = Math.min(inferences, Math.max(0, end.correct - (before?.correct ?? 0)));
    if (inferences === 0) continue;
    out.push({
      deviceId: end.deviceId,
      bootId: end.bootId,
      modelTag: end.modelTag,
      modelId: end.modelId ?? before?.modelId ?? null,
      modelVersion: end.modelVersion ?? before?.modelVersion ?? null,
      inferences,
      correct,
    });
  }
  return out;
}

export function sumAccuracy(deltas: readonly AccuracyCounts[]): AccuracyTotals {
  let inferences = 0;
  let correct = 0;
  for (const d of deltas) {
    inferences += d.inferences;
    correct += d.correct;
  }
  return { inferences, correct, accuracyPct: inferences > 0 ? (100 * correct) / inferences : null };
}
