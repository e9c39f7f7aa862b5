import * as tf from '@tensorflow/tfjs';
import { initTf } from './tf-backend';

/** The wasm Conv2DBackpropFilter shim must give the cpu backend's gradients. */
describe('wasm conv2d filter gradient shim', () => {
  function filterGrad(backend: string, x: Float32Array, w: Float32Array, pad: 'same' | 'valid'): Float32Array {
    tf.setBackend(backend);
    return tf.tidy(() => {
      const xt = tf.tensor4d(x, [2, 7, 6, 3]);
      const wt = tf.tensor4d(w, [3, 3, 3, 4]);
      const g = tf.grad((k: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xt, k as tf.Tensor4D, 1, pad))))(wt);
      return g.dataSync() as Float32Array;
    });
  }

  it.each(['same', 'valid'] as const)('matches cpu for stride 1, %s padding', async (pad) => {
    const backend = await initTf('wasm');
    expect(backend).toBe('wasm');
    await tf.setBackend('cpu');
    const x = Float32Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => Math.sin(i * 0.37));
    const w = Float32Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 0.11));
    const cpu = filterGrad('cpu', x, w, pad);
    const wasm = filterGrad('wasm', x, w, pad);
    const scale = Math.max(...Array.from(cpu, Math.abs));
    let maxDiff = 0;
    for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - wasm[i]));
    expect(scale).toBeGreaterThan(1);
    expect(maxDiff / scale).toBeLessThan(1e-4);
  });

  it('refuses stride 2, where the underlying wasm kernel is wrong', async () => {
    await initTf('wasm');
    await tf.setBackend('wasm');
    const x = tf.ones([1, 6, 6, 1]) as tf.Tensor4D;
    expect(() =>
      tf.grad((k: tf.Tensor) => tf.sum(tf.conv2d(x, k as tf.Tensor4D, 2, 'valid')))(tf.ones([3, 3, 1, 1])),
    ).toThrow(/only stride 1/);
  });
});
