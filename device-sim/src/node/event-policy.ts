import type { DeviceConfigV1, EventPolicy } from '@tinyfleet/wire';
import type { InferenceResult } from '../inference/shared-model';

/** Defaults until the platform sends down/config: hourly status, energy every 15 min, on-change. */
export const DEFAULT_DEVICE_CONFIG: DeviceConfigV1 = {
  statusIntervalS: 3600,
  energyIntervalS: 900,
  eventPolicy: 'on-change',
  scoreThresholdQ: 64,
};

/**
 * Decides which inferences become events: only conclusions go on the wire.
 * - on-change: the class differs from the last class seen (the first inference always reports), or
 *   the winning score crosses the threshold in either direction within the same class;
 * - threshold: only threshold crossings of the winning score (a class change counts as a crossing
 *   when the new score is at or above the threshold);
 * - every: every inference (for debugging; costs radio energy).
 */
export class EventPolicyState {
  private lastLabel = -1;
  private lastAbove = false;
  private candidate = -1;
  private candidateCount = 0;

  /**
   * `confirmations`: how many consecutive inferences must agree before a class change counts (1 = at
   * once). Fast, noisy streams (1 Hz gas windows) debounce, as a real node would, instead of
   * reporting every flicker between similar classes.
   */
  constructor(
    private policy: EventPolicy = DEFAULT_DEVICE_CONFIG.eventPolicy,
    private thresholdQ = DEFAULT_DEVICE_CONFIG.scoreThresholdQ,
    private readonly confirmations = 1,
  ) {}

  configure(policy: EventPolicy, thresholdQ: number): void {
    this.policy = policy;
    this.thresholdQ = thresholdQ;
  }

  shouldReport(r: Pick<InferenceResult, 'label' | 'scoreQ'>): boolean {
    if (this.policy === 'every') {
      this.lastLabel = r.label;
      this.lastAbove = r.scoreQ >= this.thresholdQ;
      return true;
    }
    if (r.label !== this.lastLabel) {
      this.candidateCount = r.label === this.candidate ? this.candidateCount + 1 : 1;
      this.candidate = r.label;
      if (this.candidateCount < this.confirmations) return false; // not confirmed yet: keep the old class
    }
    this.candidate = -1;
    this.candidateCount = 0;
    const above = r.scoreQ >= this.thresholdQ;
    const changed = r.label !== this.lastLabel;
    const crossed = !changed && above !== this.lastAbove;
    this.lastLabel = r.label;
    this.lastAbove = above;
    return this.policy === 'on-change' ? changed || crossed : crossed || (changed && above);
  }
}
