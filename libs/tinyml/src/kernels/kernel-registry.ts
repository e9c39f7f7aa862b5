/** Operator name -> kernel: every kernel of this version. SUPPORTED_OPS and OpResolver.all() derive from it. */
import { absKernel } from './abs.kernel';
import { addKernel } from './add.kernel';
import { castKernel } from './cast.kernel';
import { concatenationKernel } from './concatenation.kernel';
import { dequantizeKernel } from './dequantize.kernel';
import { leakyReluKernel } from './leaky-relu.kernel';
import { logisticKernel } from './logistic.kernel';
import { maximumKernel } from './maximum.kernel';
import { meanKernel } from './mean.kernel';
import { minimumKernel } from './minimum.kernel';
import { padKernel, padV2Kernel } from './pad.kernel';
import { quantizeKernel } from './quantize.kernel';
import { reluKernel } from './relu.kernel';
import { relu6Kernel } from './relu6.kernel';
import { stridedSliceKernel } from './strided-slice.kernel';
import { tanhKernel } from './tanh.kernel';
import { transposeConvKernel } from './transpose-conv.kernel';
import { transposeKernel } from './transpose.kernel';
import { gatherKernel } from './gather.kernel';
import { packKernel } from './pack.kernel';
import { unpackKernel } from './unpack.kernel';
import { splitKernel, splitVKernel } from './split.kernel';
import { sliceKernel } from './slice.kernel';
import { expandDimsKernel } from './expand-dims.kernel';
import { shapeKernel } from './shape.kernel';
import { fillKernel } from './fill.kernel';
import { zerosLikeKernel } from './zeros-like.kernel';
import { broadcastToKernel } from './broadcast-to.kernel';
import { broadcastArgsKernel } from './broadcast-args.kernel';
import { gatherNdKernel } from './gather-nd.kernel';
import { batchToSpaceNdKernel } from './batch-to-space-nd.kernel';
import { spaceToBatchNdKernel } from './space-to-batch-nd.kernel';
import { depthToSpaceKernel } from './depth-to-space.kernel';
import { spaceToDepthKernel } from './space-to-depth.kernel';
import { mirrorPadKernel } from './mirror-pad.kernel';
import { resizeNearestNeighborKernel } from './resize-nearest-neighbor.kernel';
import { resizeBilinearKernel } from './resize-bilinear.kernel';
import { selectV2Kernel } from './select-v2.kernel';
import { argMaxKernel, argMinKernel } from './arg-min-max.kernel';
import { cumsumKernel } from './cumsum.kernel';
import { embeddingLookupKernel } from './embedding-lookup.kernel';
import { l2Pool2dKernel } from './l2-pool2d.kernel';
import { batchMatMulKernel } from './batch-matmul.kernel';
import { averagePool2dKernel } from './average-pool2d.kernel';
import { conv2dKernel } from './conv2d.kernel';
import { depthwiseConv2dKernel } from './depthwise-conv2d.kernel';
import { divKernel } from './div.kernel';
import { fullyConnectedKernel } from './fully-connected.kernel';
import type { Kernel } from './kernel.types';
import { negKernel } from './neg.kernel';
import { squareKernel } from './square.kernel';
import { sqrtKernel } from './sqrt.kernel';
import { rsqrtKernel } from './rsqrt.kernel';
import { ceilKernel } from './ceil.kernel';
import { floorKernel } from './floor.kernel';
import { roundKernel } from './round.kernel';
import { expKernel } from './exp.kernel';
import { logicalNotKernel } from './logical-not.kernel';
import { eluKernel } from './elu.kernel';
import { addNKernel } from './add-n.kernel';
import { preluKernel } from './prelu.kernel';
import { hardSwishKernel } from './hard-swish.kernel';
import { logKernel } from './log.kernel';
import { sinKernel } from './sin.kernel';
import { cosKernel } from './cos.kernel';
import { logSoftmaxKernel } from './log-softmax.kernel';
import { l2NormalizationKernel } from './l2-normalization.kernel';
import { squaredDifferenceKernel } from './squared-difference.kernel';
import { sumKernel } from './sum.kernel';
import { reduceMaxKernel } from './reduce-max.kernel';
import { floorDivKernel } from './floor-div.kernel';
import { floorModKernel } from './floor-mod.kernel';
import { logicalAndKernel } from './logical-and.kernel';
import { logicalOrKernel } from './logical-or.kernel';
import { equalKernel } from './equal.kernel';
import { notEqualKernel } from './not-equal.kernel';
import { greaterKernel } from './greater.kernel';
import { greaterEqualKernel } from './greater-equal.kernel';
import { lessKernel } from './less.kernel';
import { lessEqualKernel } from './less-equal.kernel';
import { maxPool2dKernel } from './max-pool2d.kernel';
import { mulKernel } from './mul.kernel';
import { reshapeKernel } from './reshape.kernel';
import { softmaxKernel } from './softmax.kernel';
import { squeezeKernel } from './squeeze.kernel';
import { subKernel } from './sub.kernel';
import { svdfKernel } from './svdf.kernel';
import { unidirectionalSequenceLstmKernel } from './unidirectional-sequence-lstm.kernel';
import { signalEnergyKernel } from './signal/energy.kernel';
import { signalFftAutoScaleKernel } from './signal/fft-auto-scale.kernel';
import { signalFilterBankKernel } from './signal/filter-bank.kernel';
import { signalFilterBankLogKernel } from './signal/filter-bank-log.kernel';
import { signalFilterBankSpectralSubtractionKernel } from './signal/filter-bank-spectral-subtraction.kernel';
import { signalFilterBankSquareRootKernel } from './signal/filter-bank-square-root.kernel';
import { signalPcanKernel } from './signal/pcan.kernel';
import { signalRfftKernel } from './signal/rfft.kernel';
import { signalWindowKernel } from './signal/window.kernel';
import { ifKernel } from './if.kernel';
import { whileKernel } from './while.kernel';
import { callOnceKernel } from './call-once.kernel';
import { varHandleKernel } from './var-handle.kernel';
import { readVariableKernel } from './read-variable.kernel';
import { assignVariableKernel } from './assign-variable.kernel';
import { detectionPostprocessKernel } from './detection-postprocess.kernel';
import { signalFramerKernel } from './signal/framer.kernel';
import { signalStackerKernel } from './signal/stacker.kernel';
import { signalDelayKernel } from './signal/delay.kernel';
import { signalOverlapAddKernel } from './signal/overlap-add.kernel';
import { signalIrfftKernel } from './signal/irfft.kernel';
import { circularBufferKernel } from './circular-buffer.kernel';

const KERNELS: Kernel<never>[] = [
  addKernel,
  averagePool2dKernel,
  conv2dKernel,
  depthwiseConv2dKernel,
  fullyConnectedKernel,
  maxPool2dKernel,
  mulKernel,
  reshapeKernel,
  softmaxKernel,
  squeezeKernel,
  subKernel,
  castKernel,
  concatenationKernel,
  dequantizeKernel,
  logisticKernel,
  maximumKernel,
  meanKernel,
  minimumKernel,
  padKernel,
  padV2Kernel,
  quantizeKernel,
  reluKernel,
  relu6Kernel,
  stridedSliceKernel,
  tanhKernel,
  unidirectionalSequenceLstmKernel,
  svdfKernel,
  // TFLM signal library (custom ops).
  signalWindowKernel,
  signalFftAutoScaleKernel,
  signalRfftKernel,
  signalEnergyKernel,
  signalFilterBankKernel,
  signalFilterBankSquareRootKernel,
  signalFilterBankSpectralSubtractionKernel,
  signalPcanKernel,
  signalFilterBankLogKernel,
  divKernel,
  leakyReluKernel,
  transposeConvKernel,
  transposeKernel,
  // Data movement / shape ops of TFLM's MicroMutableOpResolver (issue 13 coverage).
  gatherKernel,
  packKernel,
  unpackKernel,
  splitKernel,
  splitVKernel,
  sliceKernel,
  expandDimsKernel,
  shapeKernel,
  fillKernel,
  zerosLikeKernel,
  broadcastToKernel,
  broadcastArgsKernel,
  gatherNdKernel,
  batchToSpaceNdKernel,
  spaceToBatchNdKernel,
  depthToSpaceKernel,
  spaceToDepthKernel,
  mirrorPadKernel,
  resizeNearestNeighborKernel,
  resizeBilinearKernel,
  selectV2Kernel,
  argMaxKernel,
  argMinKernel,
  cumsumKernel,
  embeddingLookupKernel,
  l2Pool2dKernel,
  batchMatMulKernel,
  // Elementwise math (tinyml-b).
  absKernel,
  negKernel,
  squareKernel,
  sqrtKernel,
  rsqrtKernel,
  ceilKernel,
  floorKernel,
  roundKernel,
  expKernel,
  logicalNotKernel,
  equalKernel,
  notEqualKernel,
  greaterKernel,
  greaterEqualKernel,
  lessKernel,
  lessEqualKernel,
  logicalAndKernel,
  logicalOrKernel,
  floorDivKernel,
  floorModKernel,
  sumKernel,
  reduceMaxKernel,
  eluKernel,
  squaredDifferenceKernel,
  addNKernel,
  preluKernel,
  hardSwishKernel,
  // Subgraphs, control flow and resource variables (ops-control).
  ifKernel,
  whileKernel,
  callOnceKernel,
  varHandleKernel,
  readVariableKernel,
  assignVariableKernel,
  // SSD detection head (custom op).
  detectionPostprocessKernel,
  // The rest of TFLM's signal library and its CIRCULAR_BUFFER custom op (stateful streaming ops).
  signalFramerKernel,
  signalStackerKernel,
  signalDelayKernel,
  signalOverlapAddKernel,
  signalIrfftKernel,
  circularBufferKernel,
  logKernel,
  sinKernel,
  cosKernel,
  logSoftmaxKernel,
  l2NormalizationKernel,
] as unknown as Kernel<never>[];

export const KERNELS_BY_NAME: ReadonlyMap<string, Kernel<unknown>> = new Map(
  KERNELS.map((k) => [k.op, k as unknown as Kernel<unknown>]),
);

export const SUPPORTED_OPS: readonly string[] = [...KERNELS_BY_NAME.keys()].sort();
