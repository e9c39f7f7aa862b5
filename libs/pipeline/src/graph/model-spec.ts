/**
 * A small sequential model description shared by the float trainer, the quantizer, the integer
 * simulator and the .tflite writer. Convolutions are stride 1 (the wasm backend's filter gradient is
 * only correct for stride 1, see docs/stack-notes.md §5); downsampling uses pooling.
 */
export type Activation = 'none' | 'relu' | 'relu6';

export type LayerSpec =
  | { kind: 'dense'; units: number; activation: Activation }
  | { kind: 'conv2d'; filters: number; kernel: number; padding: 'same' | 'valid'; activation: Activation }
  | { kind: 'maxpool'; size: number }
  | { kind: 'avgpool'; size: number }
  | { kind: 'flatten' };

export interface ModelSpec {
  /** Shape of one example without the batch dimension: [features] or [h, w, c]. */
  inputShape: number[];
  layers: LayerSpec[];
  /** The last layer's outputs are logits; the exported model appends SOFTMAX. */
  classes: number;
}

export interface LayerShape {
  in: number[];
  out: number[];
  /** Weight shape in tfjs layout (dense [in, out]; conv [kh, kw, in, out]) or null. */
  kernel: number[] | null;
  macs: number;
}

export function layerShapes(spec: ModelSpec): LayerShape[] {
  let shape = [...spec.inputShape];
  return spec.layers.map((l) => {
    const inShape = shape;
    let kernel: number[] | null = null;
    let macs = 0;
    switch (l.kind) {
      case 'dense': {
        if (inShape.length !== 1)
          throw new Error(`dense layer needs a flat input, got [${inShape}] (add a flatten layer)`);
        kernel = [inShape[0], l.units];
        shape = [l.units];
        macs = inShape[0] * l.units;
        break;
      }
      case 'conv2d': {
        if (inShape.length !== 3) throw new Error(`conv2d needs [h, w, c] input, got [${inShape}]`);
        const [h, w, c] = inShape;
        const oh = l.padding === 'same' ? h : h - l.kernel + 1;
        const ow = l.padding === 'same' ? w : w - l.kernel + 1;
        kernel = [l.kernel, l.kernel, c, l.filters];
        shape = [oh, ow, l.filters];
        macs = oh * ow * l.filters * l.kernel * l.kernel * c;
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const [h, w, c] = inShape;
        shape = [Math.floor(h / l.size), Math.floor(w / l.size), c];
        break;
      }
      case 'flatten':
        shape = [inShape.reduce((a, b) => a * b, 1)];
        break;
    }
    return { in: inShape, out: shape, kernel, macs };
  });
}

export function paramCount(spec: ModelSpec): number {
  return layerShapes(spec).reduce((s, l, i) => {
    if (!l.kernel) return s;
    const units =
      (spec.layers[i] as { units?: number; filters?: number }).units ?? (spec.layers[i] as { filters: number }).filters;
    return s + l.kernel.reduce((a, b) => a * b, 1) + units;
  }, 0);
}

export function modelMacs(spec: ModelSpec): number {
  return layerShapes(spec).reduce((s, l) => s + l.macs, 0);
}

export function validateSpec(spec: ModelSpec): void {
  const shapes = layerShapes(spec);
  const last = shapes[shapes.length - 1].out;
  if (last.length !== 1 || last[0] !== spec.classes)
    throw new Error(`model ends in [${last}], expected [${spec.classes}] logits`);
}
