import type { LayersByModel } from './validate-against-mlperf';

/**
 * The doc's own hand-counted MAC totals (energy-sources.md §2: KWS 2.66 M, VWW 7.49 M, IC 12.50 M,
 * AD 0.264 M — [DER from S-MLC-TINY training code]), split by kernel kind from the same reference
 * architectures [DER here]:
 * - KWS DS-CNN: conv 10×4×1→64 on 25×5 (320,000) + 4 pointwise 64→64 on 25×5 (4 × 512,000);
 *   4 depthwise 3×3×64 on 25×5 (4 × 72,000); FC 64→12 (768); average pool over 25×5×64 (8,000).
 * - VWW MobileNetV1-0.25 96×96×3: 14 conv/pointwise layers 6,690,816; 13 depthwise 798,336; FC 256→2.
 * - IC ResNet-8: 9 convs incl. two 1×1 shortcuts 12,500,992; FC 64→10; 3 residual adds over 28,672 elements.
 * - AD FC autoencoder 640-128-128-128-128-8-128-128-128-128-640: 264,192.
 * These are NOT read from the model files: they only let the validation arithmetic be unit-tested
 * while `@tinyfleet/tinyml`'s `inspectModel` is unavailable. The MLPerf spec itself uses inspectModel.
 */
export const DOC_HAND_COUNTED_LAYERS: LayersByModel = {
  kws: [
    { op: 'CONV_2D', macs: 2_368_000 },
    { op: 'DEPTHWISE_CONV_2D', macs: 288_000 },
    { op: 'AVERAGE_POOL_2D', macs: 8_000 },
    { op: 'FULLY_CONNECTED', macs: 768 },
  ],
  vww: [
    { op: 'CONV_2D', macs: 6_690_816 },
    { op: 'DEPTHWISE_CONV_2D', macs: 798_336 },
    { op: 'AVERAGE_POOL_2D', macs: 2_304 },
    { op: 'FULLY_CONNECTED', macs: 512 },
  ],
  ic: [
    { op: 'CONV_2D', macs: 12_500_992 },
    { op: 'ADD', macs: 28_672 },
    { op: 'AVERAGE_POOL_2D', macs: 4_096 },
    { op: 'FULLY_CONNECTED', macs: 640 },
  ],
  ad: [{ op: 'FULLY_CONNECTED', macs: 264_192 }],
};
