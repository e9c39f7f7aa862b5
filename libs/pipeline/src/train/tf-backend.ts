/**
 * Picks the fastest TensorFlow.js backend available: tfjs-node when it is installed (its install
 * needs internet, so usually not), else wasm (~5x cpu for dense layers, single-threaded), else cpu.
 * On wasm it registers Conv2DBackpropFilter, which tfjs 4.22's wasm backend lacks (stack-notes §5).
 */
import * as tf from '@tensorflow/tfjs';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';
let ready: Promise<TfBackendName> | null = null;

/** Idempotent. TF_BACKEND=node|wasm|cpu forces a choice. */
export function initTf(prefer = process.env.TF_BACKEND): Promise<TfBackendName> {
  ready ??= choose(prefer);
  return ready;
}

async function choose(prefer: string | undefined): Promise<TfBackendName> {
  if (!prefer || prefer === 'node') {
    try {
      require('@tensorflow/tfjs-node');
      if (await tf.setBackend('tensorflow')) return 'tensorflow';
    } catch (err) {
      if (prefer === 'node') throw err;
      const e = err as { code?: string; message?: string };
      if (e.code !== 'MODULE_NOT_FOUND' && !/tfjs_binding|libtensorflow/.test(String(e.message))) throw err;
    }
  }
  if (prefer !== 'cpu') {
    try {
      require('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        registerWasmConv2DBackpropFilter();
        return 'wasm';
      }
    } catch (err) {
      if (prefer === 'wasm') throw err;
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

type KernelFunc = (args: {
  inputs: Record<string, unknown>;
  backend: unknown;
  attrs: Record<string, unknown>;
}) => tf.TensorInfo;
interface WasmBackendLike {
  disposeData(id: object): void;
}

/**
 * Conv2D filter gradient on wasm via wasm's Conv3DBackpropFilterV2 on a depth-1 volume: a 2-D
 * convolution is a 3-D one with a unit depth axis. Only stride 1 (wasm's 3-D filter gradient is wrong
 * for larger strides in tfjs 4.22) and NHWC with 'same'/'valid' padding; anything else throws.
 */
export function registerWasmConv2DBackpropFilter(): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  const reshape = tf.getKernel('Reshape', 'wasm')!.kernelFunc as unknown as KernelFunc;
  const bpf3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')!.kernelFunc as unknown as KernelFunc;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: (({
      inputs,
      backend,
      attrs,
    }: {
      inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
      backend: WasmBackendLike;
      attrs: Record<string, unknown>;
    }) => {
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as {
        strides: number | [number, number];
        pad: unknown;
        dataFormat?: string;
        dimRoundingMode?: string;
        filterShape: number[];
      };
      if (dataFormat && dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter (wasm shim): only NHWC');
      if (pad !== 'same' && pad !== 'valid')
        throw new Error('Conv2DBackpropFilter (wasm shim): only same/valid padding');
      if (dimRoundingMode) throw new Error('Conv2DBackpropFilter (wasm shim): dimRoundingMode unsupported');
      const [sh, sw] = Array.isArray(strides) ? strides : [strides, strides];
      if (sh !== 1 || sw !== 1) throw new Error('Conv2DBackpropFilter (wasm shim): only stride 1');
      const { x, dy } = inputs;
      const x5 = reshape({ inputs: { x }, backend, attrs: { shape: [x.shape[0], 1, ...x.shape.slice(1)] } });
      const dy5 = reshape({ inputs: { x: dy }, backend, attrs: { shape: [dy.shape[0], 1, ...dy.shape.slice(1)] } });
      const dw5 = bpf3d({
        inputs: { x: x5, dy: dy5 },
        backend,
        attrs: { strides: [1, 1, 1], pad, filterShape: [1, ...filterShape] },
      });
      const dw = reshape({ inputs: { x: dw5 }, backend, attrs: { shape: filterShape } });
      for (const t of [x5, dy5, dw5]) backend.disposeData(t.dataId);
      return dw;
    }) as unknown as tf.KernelFunc,
  });
  return true;
}

export { tf };
