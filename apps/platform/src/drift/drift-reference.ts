import { foldInputStats, type WindowSignals } from '@tinyfleet/drift';
import { SUMMARY_MAX_CHANNELS } from '@tinyfleet/wire';
import type { ManifestReference } from './inference-summaries.repository';

export interface DriftReference {
  signals: WindowSignals;
  /** In words, for the verdict history: where the reference came from. */
  source: string;
}

/**
 * A manifest's validation-set reference as a device window compares with it: a model with more
 * input channels than a summary carries has them folded the way the device folds them.
 */
export function referenceFromManifest(m: ManifestReference): DriftReference {
  return {
    signals: { ...m.reference, inputStats: foldInputStats(m.reference.inputStats, SUMMARY_MAX_CHANNELS) },
    source: `manifest.monitoring: ${m.source}`,
  };
}
