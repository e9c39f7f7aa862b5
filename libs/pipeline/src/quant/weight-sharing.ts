/**
 * k-means weight sharing (Deep Compression §3) in the int8 domain: the nonzero int8 weights of a layer
 * are clustered into 2^bits - 1 shared values (zero stays exactly zero, so pruning survives), with
 * linear centroid initialisation, which Han et al. found best. The per-channel scales are unchanged,
 * so the result is still a plain TFLite int8 tensor; the gain shows up after Huffman coding.
 */
export function kmeansShareInt8(q: Int8Array, bits: number, iterations = 30): { q: Int8Array; centroids: number[] } {
  const hist = new Float64Array(256);
  let lo = 127;
  let hi = -127;
  for (const v of q)
    if (v !== 0) {
      hist[v + 128]++;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  const k = (1 << bits) - 1;
  if (lo > hi) return { q: q.slice(), centroids: [] };
  let centroids = Array.from({ length: k }, (_, i) => (k === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (k - 1)));
  const assign = new Int32Array(256);
  for (let it = 0; it < iterations; it++) {
    for (let v = lo; v <= hi; v++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (Math.abs(v - centroids[c]) < Math.abs(v - centroids[best])) best = c;
      assign[v + 128] = best;
    }
    const sum = new Float64Array(k);
    const cnt = new Float64Array(k);
    for (let v = lo; v <= hi; v++) {
      sum[assign[v + 128]] += v * hist[v + 128];
      cnt[assign[v + 128]] += hist[v + 128];
    }
    const next = centroids.map((c, i) => (cnt[i] > 0 ? sum[i] / cnt[i] : c));
    if (next.every((c, i) => Math.abs(c - centroids[i]) < 1e-6)) break;
    centroids = next;
  }
  // Shared values must be valid nonzero int8 weights.
  const rounded = centroids.map((c) => {
    const r = Math.max(-127, Math.min(127, Math.round(c)));
    return r === 0 ? (c < 0 ? -1 : 1) : r;
  });
  const out = new Int8Array(q.length);
  for (let i = 0; i < q.length; i++) {
    if (q[i] === 0) continue;
    let best = 0;
    for (let c = 1; c < k; c++) if (Math.abs(q[i] - rounded[c]) < Math.abs(q[i] - rounded[best])) best = c;
    out[i] = rounded[best];
  }
  return { q: out, centroids: [...new Set(rounded)].sort((a, b) => a - b) };
}
