/**
 * Kernel kinds: the granularity at which we assign a cycles-per-MAC cost. MLPerf Tiny only gives
 * whole-model figures, so the split is chosen to be identifiable from its four models: KWS/VWW mix
 * convolution and depthwise, IC is (almost) pure convolution, AD is pure fully-connected.
 */
export type KernelKind = 'conv' | 'depthwise' | 'fully-connected' | 'elementwise';

export const KERNEL_KINDS: readonly KernelKind[] = ['conv', 'depthwise', 'fully-connected', 'elementwise'];

/** Cycles per MAC (or, for `elementwise`, per unit of work the interpreter reports as `macs`). */
export type KernelCycles = Readonly<Record<KernelKind, number>>;

// TFLite builtin op name -> kernel kind. Ops not listed are data movement or cheap element-wise
// work (pooling, activation, softmax, add, reshape, quantize ...) and fall into `elementwise`.
const OP_KIND: Readonly<Record<string, KernelKind>> = {
  CONV_2D: 'conv',
  CONV_3D: 'conv',
  TRANSPOSE_CONV: 'conv',
  DEPTHWISE_CONV_2D: 'depthwise',
  FULLY_CONNECTED: 'fully-connected',
  BATCH_MATMUL: 'fully-connected',
  SVDF: 'fully-connected',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'fully-connected',
};

export function kernelKindOf(op: string): KernelKind {
  return OP_KIND[op.toUpperCase()] ?? 'elementwise';
}

/** Sum of `macs` per kernel kind for a layer list (the shape `inspectModel(...).layers` returns). */
export function macsByKind(layers: ReadonlyArray<{ op: string; macs: number }>): Record<KernelKind, number> {
  const totals: Record<KernelKind, number> = { conv: 0, depthwise: 0, 'fully-connected': 0, elementwise: 0 };
  for (const layer of layers) totals[kernelKindOf(layer.op)] += layer.macs;
  return totals;
}

export function scaleKernelCycles(table: KernelCycles, factor: number): KernelCycles {
  return {
    conv: table.conv * factor,
    depthwise: table.depthwise * factor,
    'fully-connected': table['fully-connected'] * factor,
    elementwise: table.elementwise * factor,
  };
}
