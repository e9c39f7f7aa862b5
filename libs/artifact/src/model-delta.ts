/**
 * A model delta: the new .tflite as runs of bytes copied from the old one (same position) and
 * literal bytes. A retrained model changes nearly every weight and gains nothing from it; a
 * fine-tuned one (new classifier head, same backbone) mostly copies, and then the delta is a small
 * fraction of the model. The platform sends it only when it is the smallest transfer form.
 * Browser-safe: Uint8Array only.
 *
 * Layout: "TFDL" u8 version=1, varint targetLength, varint baseLength, then ops until the target is
 * complete: varint copyLength, varint literalLength, literal bytes.
 */
import { ByteReader, ByteWriter } from './bit-stream';
import { modelBytesBound } from './ota-limits';

const MAGIC = [0x54, 0x46, 0x44, 0x4c]; // "TFDL"
const VERSION = 1;
/** Shorter equal runs cost more as an op boundary than as literals. */
const MIN_COPY = 8;

export class ModelDeltaError extends Error {
  override name = 'ModelDeltaError';
}

export function encodeModelDelta(base: Uint8Array, target: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  w.bytes(Uint8Array.from(MAGIC));
  w.u8(VERSION);
  w.varint(target.length);
  w.varint(base.length);
  let pos = 0;
  while (pos < target.length) {
    let copy = 0;
    while (pos + copy < target.length && pos + copy < base.length && target[pos + copy] === base[pos + copy]) copy++;
    if (copy < MIN_COPY && pos + copy < target.length) copy = 0;
    let lit = pos + copy;
    // extend the literal run until the next equal run long enough to be worth a copy
    while (lit < target.length) {
      let run = 0;
      while (
        run < MIN_COPY &&
        lit + run < target.length &&
        lit + run < base.length &&
        target[lit + run] === base[lit + run]
      )
        run++;
      if (run >= MIN_COPY) break;
      lit += Math.max(1, run);
    }
    w.varint(copy);
    w.varint(lit - pos - copy);
    w.bytes(target.subarray(pos + copy, lit));
    pos = lit;
  }
  return w.finish();
}

export interface ApplyModelDeltaOptions {
  /** The length the target must have (the offer's and device manifest's modelBytes), checked before it is allocated. */
  modelBytes?: number;
}

/**
 * Rebuilds the target from the base; every refusal is a ModelDeltaError (it never reads out of
 * bounds), and the target is allocated only once its length is known to be at most `modelBytes` (or
 * the 16 MiB OTA limit) and reachable from this base and this many delta bytes.
 */
export function applyModelDelta(base: Uint8Array, delta: Uint8Array, opts: ApplyModelDeltaOptions = {}): Uint8Array {
  const maxBytes = modelBytesBound(opts.modelBytes, ModelDeltaError);
  const r = new ByteReader(delta, ModelDeltaError);
  if (delta.length < MAGIC.length || MAGIC.some((m) => r.u8() !== m))
    throw new ModelDeltaError('not a model delta (bad magic)');
  const version = r.u8();
  if (version !== VERSION) throw new ModelDeltaError(`unsupported model delta version ${version}`);
  const targetLength = r.varint();
  const baseLength = r.varint();
  if (baseLength !== base.length)
    throw new ModelDeltaError(`delta is against a ${baseLength}-byte model, this one has ${base.length} bytes`);
  if (opts.modelBytes !== undefined && targetLength !== opts.modelBytes)
    throw new ModelDeltaError(`delta makes a ${targetLength}-byte model, expected ${opts.modelBytes}`);
  if (targetLength > maxBytes) throw new ModelDeltaError(`target of ${targetLength} bytes exceeds ${maxBytes}`);
  // Copies come from the base at the same place, literals from the delta: nothing else can fill the target.
  if (targetLength > base.length + r.remaining)
    throw new ModelDeltaError(
      `a ${targetLength}-byte target cannot come from ${base.length} base and ${r.remaining} delta bytes`,
    );
  const out = new Uint8Array(targetLength);
  let pos = 0;
  while (pos < targetLength) {
    const copy = r.varint();
    const lit = r.varint();
    if (pos + copy + lit > targetLength || pos + copy > base.length || (copy === 0 && lit === 0))
      throw new ModelDeltaError(`bad op at byte ${pos}`);
    out.set(base.subarray(pos, pos + copy), pos);
    out.set(r.bytes(lit), pos + copy);
    pos += copy + lit;
  }
  if (r.remaining !== 0) throw new ModelDeltaError('trailing bytes after the delta');
  return out;
}
