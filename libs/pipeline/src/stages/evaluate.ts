/** Accuracy of a float model (tf) or a quantized model (integer simulation) on prepared data. */
import type { QuantizedModel } from '../graph/quantized-model';
import { quantizeValue } from '../quant/quant-math';
import { simulateLogits } from '../quant/int-simulator';
import type { FakeQuantConfig, FloatModel } from '../train/float-model';
import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../train/metrics';
import { predictLogits, type TensorData } from '../train/train-loop';

export function evaluateFloat(model: FloatModel, d: TensorData, fq?: FakeQuantConfig): ClassificationMetrics {
  const logits = predictLogits(model, d.x, d.n, fq);
  return classificationMetrics(argmaxRows(logits, model.spec.classes), d.y, model.spec.classes);
}

/** Quantize one preprocessed float example to the model's int8 input. */
export function quantizeInput(qm: QuantizedModel, x: Float32Array): Int8Array {
  return Int8Array.from(x, (v) => quantizeValue(v, qm.input.q));
}

export function evaluateInt8(qm: QuantizedModel, d: TensorData, classes: number): ClassificationMetrics {
  const f = d.x.length / Math.max(1, d.n);
  const pred = new Int32Array(d.n);
  for (let i = 0; i < d.n; i++) {
    const logits = simulateLogits(qm, quantizeInput(qm, d.x.subarray(i * f, (i + 1) * f)));
    pred[i] = argmaxRows(logits, classes)[0];
  }
  return classificationMetrics(pred, d.y, classes);
}

export function classCounts(y: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const v of y) counts[v]++;
  return counts;
}

/** confusion[true][predicted] of a quantized model (integer simulation) on prepared data. */
export function confusionMatrix(qm: QuantizedModel, d: TensorData, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const f = d.x.length / Math.max(1, d.n);
  for (let i = 0; i < d.n; i++) {
    const logits = simulateLogits(qm, quantizeInput(qm, d.x.subarray(i * f, (i + 1) * f)));
    m[d.y[i]][argmaxRows(logits, classes)[0]]++;
  }
  return m;
}
