/**
 * How a rollout moves: hawkBit-style groups (each with success and error thresholds), and optionally
 * an AWS-style notification rate (constant, or exponential: multiplied every N notified devices).
 */
export interface RolloutGroupSpec {
  /** Share of the target devices in this group; or `count` devices. The last group takes the rest. */
  percent?: number;
  count?: number;
  /** % of the group's devices that must succeed before the next group starts (hawkBit default 50; ours 100). */
  successThresholdPct: number;
  /** % of the group's devices failed, rejected or timed out at which the rollout pauses or aborts. */
  errorThresholdPct: number;
}

export type RolloutRate =
  | { type: 'constant'; perMinute: number }
  | {
      type: 'exponential';
      basePerMinute: number;
      incrementFactor: number;
      everyNotified: number;
      maxPerMinute: number;
    };

export interface RolloutPacing {
  groups: RolloutGroupSpec[];
  rate?: RolloutRate;
  /** A device that has not finished this long after being notified is retried, then timed out. */
  jobTimeoutS: number;
  /** Offers per device (first one included) before FAILED/timeouts become final. */
  maxAttempts: number;
}

/** Splits the (already ordered) devices into groups by percent or count; the last group takes what is left. */
export function splitIntoGroups<T>(devices: readonly T[], groups: readonly RolloutGroupSpec[]): T[][] {
  const out: T[][] = [];
  let start = 0;
  groups.forEach((g, i) => {
    const last = i === groups.length - 1;
    const size = last ? devices.length - start : (g.count ?? Math.ceil((devices.length * (g.percent ?? 0)) / 100));
    const end = Math.min(devices.length, start + Math.max(0, size));
    out.push(devices.slice(start, end));
    start = end;
  });
  return out;
}

/** The notification rate in force after `notifiedTotal` devices were notified (AWS IoT Jobs' model). */
export function ratePerMinute(rate: RolloutRate, notifiedTotal: number): number {
  if (rate.type === 'constant') return rate.perMinute;
  const steps = Math.floor(notifiedTotal / rate.everyNotified);
  return Math.min(rate.maxPerMinute, Math.floor(rate.basePerMinute * rate.incrementFactor ** steps));
}

/** How many more devices may be notified now, given how many were notified in the last 60 s. */
export function notificationBudget(
  rate: RolloutRate | undefined,
  notifiedTotal: number,
  notifiedLastMinute: number,
): number {
  if (!rate) return Number.POSITIVE_INFINITY;
  return Math.max(0, ratePerMinute(rate, notifiedTotal) - notifiedLastMinute);
}
