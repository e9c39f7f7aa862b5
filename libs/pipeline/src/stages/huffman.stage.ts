/**
 * Stage 5, Huffman: the over-the-air form of the int8 .tflite (libs/artifact TFHC container: Huffman
 * values + relative sparse index), with the round trip checked byte for byte, and the choice of
 * k-means weight sharing bits by size and validation accuracy.
 */
import { decodeOtaContainer, encodeOtaContainer, type EncodeResult } from '@tinyfleet/artifact';
import type { QuantizedModel } from '../graph/quantized-model';
import { PipelineError, type StageContext } from '../pipeline.types';
import { exportQuantized, type ExportedModel } from '../export/tflite-export';
import { evaluateInt8 } from './evaluate';
import { shareWeights } from './quantize.stage';

export function huffmanEncodeModel(exported: ExportedModel): EncodeResult {
  const ranges = exported.weightTensors.map((w) => ({ ...exported.dataRanges.get(w.index)!, name: w.name }));
  const enc = encodeOtaContainer(exported.bytes, ranges);
  const back = decodeOtaContainer(enc.bytes);
  if (back.length !== exported.bytes.length || back.some((b, i) => b !== exported.bytes[i])) {
    throw new PipelineError('Huffman round trip does not reproduce the .tflite bytes');
  }
  return enc;
}

export interface SharingChoice {
  bits: number | null;
  qm: QuantizedModel;
  huffmanBytes: number;
  valAccuracy: number;
  candidates: { bits: number | null; huffmanBytes: number; valAccuracy: number }[];
}

/**
 * Try k-means sharing with each candidate bit width; keep the smallest Huffman form whose validation
 * accuracy is within `tolerancePts` of the unshared int8 model ("where it wins").
 */
export function chooseWeightSharing(
  ctx: StageContext,
  qm: QuantizedModel,
  candidateBits: number[],
  tolerancePts: number,
  description: string,
): SharingChoice {
  const evalOne = (bits: number | null) => {
    const shared = shareWeights(qm, bits);
    const huffmanBytes = huffmanEncodeModel(exportQuantized(shared, description)).bytes.length;
    const valAccuracy = evaluateInt8(shared, ctx.data.val, ctx.spec.classes).accuracy;
    return { bits, qm: shared, huffmanBytes, valAccuracy };
  };
  const base = evalOne(null);
  const tried = [base, ...candidateBits.map(evalOne)];
  const ok = tried.filter((t) => t.valAccuracy >= base.valAccuracy - tolerancePts / 100);
  const best = ok.reduce((a, b) => (b.huffmanBytes < a.huffmanBytes ? b : a));
  ctx.log(
    `share: ${tried.map((t) => `${t.bits ?? 'none'}: ${t.huffmanBytes} B, val ${(t.valAccuracy * 100).toFixed(2)} %`).join('; ')} -> ${best.bits === null ? 'no sharing' : `${best.bits} bits`}`,
  );
  return {
    ...best,
    candidates: tried.map(({ bits, huffmanBytes, valAccuracy }) => ({ bits, huffmanBytes, valAccuracy })),
  };
}
