import {
  applyModelDelta,
  compareSemver,
  decodeOtaContainer,
  seededSelfTestInput,
  selfTestOutputMatches,
  type DeviceManifest,
} from '@tinyfleet/artifact';
import { verifyDeviceManifest } from '@tinyfleet/artifact/verify-node';
import {
  ArenaTooSmallError,
  INTERPRETER_VERSION,
  Interpreter,
  loadModel,
  OpResolver,
  SUPPORTED_OPS,
} from '@tinyfleet/tinyml';
import {
  decodeOtaCancelV1,
  decodeOtaChunkV1,
  decodeOtaOfferV1,
  encodeOtaChunkRequestV1,
  encodeOtaStatusV1,
  OTA_MAX_CHUNKS_PER_REQUEST,
  OtaDeviceState,
  OtaOfferV1,
  OtaReason,
  WireError,
} from '@tinyfleet/wire';
import { createHash, KeyObject } from 'node:crypto';

/** The device's two model slots as the agent needs them (the simulated flash). */
export interface OtaSlots {
  activeSha256Hex(): string | null;
  /**
   * sha256 of the model in the slot that would be overwritten, and its manifest, if any (a factory
   * image may have none: it was never delivered over the air).
   */
  inactive(): { sha256Hex: string; manifest: DeviceManifest | null; bytes: Uint8Array } | null;
  /** The bytes of the active model (a delta is applied to it). */
  activeBytes(): Uint8Array | null;
  /** Bytes of flash free for a model next to firmware and the active slot. */
  flashBytesForModel(): number;
  /** RAM free for the tensor arena. */
  ramBytesForArena(): number;
  /**
   * Writes the inactive slot; a simulated power loss throws PowerLossError and leaves it unusable.
   * SlotRejectedError: the device cannot run this model on its own input (sensor preprocessing).
   */
  writeInactive(bytes: Uint8Array, manifest: DeviceManifest): void;
  activateInactive(): void;
}

export class PowerLossError extends Error {
  override name = 'PowerLossError';
}

export class SlotRejectedError extends Error {
  override name = 'SlotRejectedError';
}

/** How the agent talks: publish an uplink, and the radio bytes it costs (charged to the ledger by the owner). */
export interface OtaLink {
  publish(kind: 'ota-status' | 'ota-request', payload: Uint8Array): Promise<unknown>;
}

export interface OtaAgentOptions {
  trustedKeys: Map<string, KeyObject>;
  /** Chunks asked for at once (1..16). */
  chunksPerRequest?: number;
  clock?: () => number;
  /** Called after the self-test inference ran on the inactive slot's model (the owner charges its energy). */
  selfTestRan?: () => void;
  /** The kernels the firmware registered (its build); a model needing another is refused `incompatible-ops`. */
  resolver?: OpResolver;
}

interface Download {
  offer: OtaOfferV1;
  chunks: Array<Uint8Array | undefined>;
  received: number;
  requestedUpTo: number;
}

/**
 * The device's side of OTA. It decides on an offer (trusted key? fits flash?), fetches chunks in
 * windows and resumes from its first missing chunk after a disconnect (`resume()`), drops a chunk
 * whose CRC fails and asks for it again, checks the transfer hash, rebuilds the exact .tflite
 * (Huffman form decoded, or a delta applied to the model it runs), checks the model hash and the Ed25519 signature over model hash and
 * manifest, checks ops, interpreter version and arena against its own RAM, writes the inactive slot,
 * runs the manifest's self-test vector through the interpreter, and only then switches slots. Any
 * failure leaves the old slot active, and is reported with its reason.
 */
export class OtaAgent {
  private download: Download | null = null;
  private readonly chunksPerRequest: number;
  private readonly now: () => number;

  constructor(
    private readonly link: OtaLink,
    private readonly slots: OtaSlots,
    private readonly opts: OtaAgentOptions,
  ) {
    this.chunksPerRequest = Math.min(OTA_MAX_CHUNKS_PER_REQUEST, Math.max(1, opts.chunksPerRequest ?? 8));
    this.now = opts.clock ?? Date.now;
  }

  async onOffer(payload: Uint8Array): Promise<void> {
    const offer = decodeOrNull(decodeOtaOfferV1, payload);
    if (!offer) return; // unreadable: not even its job id can be answered
    if (this.download && this.download.offer.jobId !== offer.jobId)
      return this.report(offer.jobId, 'FAILED', 'busy', 0);
    if (this.download?.offer.jobId === offer.jobId) return this.resume(); // a re-offer after a timeout: carry on
    const modelShaHex = hex(offer.modelSha256);
    if (this.slots.activeSha256Hex() === modelShaHex) return this.report(offer.jobId, 'SUCCEEDED', null, 0);
    const inactive = this.slots.inactive();
    if (inactive?.sha256Hex === modelShaHex) {
      // Already in the other slot (a rollback): nothing to download.
      await this.report(offer.jobId, 'VERIFIED', null, 0);
      return this.apply(offer, inactive.bytes, inactive.manifest, false);
    }
    if (!this.opts.trustedKeys.has(offer.keyId))
      return this.report(offer.jobId, 'REJECTED', 'signature-unknown-key', 0);
    if (offer.modelBytes > this.slots.flashBytesForModel())
      return this.report(offer.jobId, 'REJECTED', 'flash-too-small', 0);
    if (offer.form === 'delta' && !this.baseFor(offer)) return this.report(offer.jobId, 'REJECTED', 'unknown-base', 0);
    this.download = { offer, chunks: new Array(offer.chunkCount), received: 0, requestedUpTo: 0 };
    await this.report(offer.jobId, 'DOWNLOADING', null, 0);
    await this.requestMore();
  }

  async onChunk(payload: Uint8Array): Promise<void> {
    const d = this.download;
    let chunk;
    try {
      chunk = decodeOtaChunkV1(payload);
    } catch (err) {
      if (!(err instanceof WireError) || !d) throw err;
      // A corrupt chunk (CRC mismatch): its index cannot be trusted either; ask again from the first gap.
      await this.report(d.offer.jobId, 'DOWNLOADING', 'corrupt-chunk', d.received);
      return this.resume();
    }
    if (!d || chunk.jobId !== d.offer.jobId || chunk.index >= d.offer.chunkCount || d.chunks[chunk.index]) return;
    const expected =
      chunk.index === d.offer.chunkCount - 1
        ? d.offer.transferBytes - chunk.index * d.offer.chunkBytes
        : d.offer.chunkBytes;
    if (chunk.data.length !== expected) {
      await this.report(d.offer.jobId, 'DOWNLOADING', 'corrupt-chunk', d.received);
      return this.resume();
    }
    d.chunks[chunk.index] = chunk.data;
    d.received++;
    if (d.received === d.offer.chunkCount) return this.complete(d);
    if (d.received % this.chunksPerRequest === 0) await this.report(d.offer.jobId, 'DOWNLOADING', null, d.received);
    if (chunk.index + 1 >= d.requestedUpTo) await this.requestMore();
  }

  async onCancel(payload: Uint8Array): Promise<void> {
    const cancel = decodeOrNull(decodeOtaCancelV1, payload);
    if (cancel && this.download?.offer.jobId === cancel.jobId) this.download = null;
  }

  /** After a reconnect (or a corrupt chunk): continue from the first missing chunk, never from zero. */
  async resume(): Promise<void> {
    const d = this.download;
    if (!d) return;
    d.requestedUpTo = firstMissing(d.chunks);
    await this.requestMore();
  }

  private async requestMore(): Promise<void> {
    const d = this.download!;
    const first = Math.max(firstMissing(d.chunks), d.requestedUpTo);
    if (first >= d.offer.chunkCount) return;
    const count = Math.min(this.chunksPerRequest, d.offer.chunkCount - first);
    d.requestedUpTo = first + count;
    await this.link.publish(
      'ota-request',
      encodeOtaChunkRequestV1({ jobId: d.offer.jobId, firstChunk: first, chunkCount: count }),
    );
  }

  private async complete(d: Download): Promise<void> {
    const { offer } = d;
    this.download = null;
    const blob = concat(d.chunks as Uint8Array[]);
    if (hex(sha256(blob)) !== hex(offer.transferSha256))
      return this.report(offer.jobId, 'FAILED', 'hash-mismatch', offer.chunkCount);
    await this.report(offer.jobId, 'DOWNLOADED', null, offer.chunkCount);
    // The signature covers exactly the device manifest as received; it names the model's sha256.
    const verdict = verifyDeviceManifest(
      blob.subarray(0, offer.manifestBytes),
      { keyId: offer.keyId, signature: offer.signature },
      this.opts.trustedKeys,
    );
    if (!verdict.ok) return this.report(offer.jobId, 'REJECTED', verdict.reason, offer.chunkCount);
    const manifest = verdict.manifest;
    const payload = blob.subarray(offer.manifestBytes);
    let model: Uint8Array;
    try {
      model =
        offer.form === 'huffman'
          ? decodeOtaContainer(payload)
          : offer.form === 'delta'
            ? applyModelDelta(this.baseFor(offer)!, payload)
            : payload;
    } catch {
      return this.report(offer.jobId, 'FAILED', 'hash-mismatch', offer.chunkCount);
    }
    const modelShaHex = hex(sha256(model));
    if (modelShaHex !== hex(offer.modelSha256) || modelShaHex !== hex(manifest.modelSha256))
      return this.report(offer.jobId, 'FAILED', 'hash-mismatch', offer.chunkCount);
    await this.report(offer.jobId, 'VERIFIED', null, offer.chunkCount);
    return this.apply(offer, model, manifest, true);
  }

  /** Compatibility on the device itself, then write, self-test and switch — or leave the old slot active. */
  private async apply(
    offer: OtaOfferV1,
    model: Uint8Array,
    manifest: DeviceManifest | null,
    write: boolean,
  ): Promise<void> {
    if (!manifest) {
      // Back to a factory image in the other slot (no manifest, so no self-test vector): it ran on
      // this very device before and its bytes still hash right, which is what a self-test would show.
      this.slots.activateInactive();
      return this.report(offer.jobId, 'SUCCEEDED', null, offer.chunkCount);
    }
    const refusal = this.checkRuns(model, manifest);
    if (refusal) return this.report(offer.jobId, 'REJECTED', refusal, offer.chunkCount);
    await this.report(offer.jobId, 'APPLYING', null, offer.chunkCount);
    if (write) {
      try {
        this.slots.writeInactive(model, manifest);
      } catch (err) {
        if (err instanceof PowerLossError) return this.report(offer.jobId, 'FAILED', 'power-loss', offer.chunkCount);
        // The model cannot take this node's sensor input: as good as a failed self-test, old slot stays.
        if (err instanceof SlotRejectedError)
          return this.report(offer.jobId, 'FAILED', 'self-test-failed', offer.chunkCount);
        throw err;
      }
    }
    const passed = selfTestPasses(model, manifest, this.slots.ramBytesForArena());
    this.opts.selfTestRan?.();
    if (!passed) return this.report(offer.jobId, 'FAILED', 'self-test-failed', offer.chunkCount);
    this.slots.activateInactive();
    await this.report(offer.jobId, 'SUCCEEDED', null, offer.chunkCount);
  }

  /** A delta applies to the model the device runs, or to the one in its other slot. */
  private baseFor(offer: OtaOfferV1): Uint8Array | null {
    if (!offer.baseSha256) return null;
    const want = hex(offer.baseSha256);
    if (this.slots.activeSha256Hex() === want) return this.slots.activeBytes();
    const other = this.slots.inactive();
    return other?.sha256Hex === want ? other.bytes : null;
  }

  private checkRuns(model: Uint8Array, manifest: DeviceManifest): OtaReason | null {
    if (compareSemver(INTERPRETER_VERSION, manifest.minInterpreterVersion) < 0) return 'interpreter-too-old';
    if (manifest.ops.some((op) => !(SUPPORTED_OPS as readonly string[]).includes(op))) return 'incompatible-ops';
    try {
      const resolver = this.opts.resolver ?? OpResolver.all();
      new Interpreter(loadModel(model), { deviceBytesLimit: this.slots.ramBytesForArena(), resolver }).allocate();
    } catch (err) {
      return err instanceof ArenaTooSmallError ? 'arena-too-small' : 'incompatible-ops';
    }
    return null;
  }

  private report(
    jobId: number,
    state: OtaDeviceState,
    reason: OtaReason | null,
    chunksReceived: number,
  ): Promise<void> {
    return this.link
      .publish(
        'ota-status',
        encodeOtaStatusV1({ jobId, state, reason, chunksReceived, timestampMs: Math.floor(this.now()) }),
      )
      .then(() => undefined);
  }
}

/**
 * The manifest's self-test: its input (seeded, or given) through the new model must give its expected
 * output bytes, every element within the manifest's tolerance.
 */
export function selfTestPasses(model: Uint8Array, manifest: DeviceManifest, arenaBytesLimit: number): boolean {
  try {
    const interpreter = new Interpreter(loadModel(model), { deviceBytesLimit: arenaBytesLimit });
    interpreter.allocate();
    const inputs = interpreter.model.inputs.map((_, i) => interpreter.input(i));
    const st = manifest.selfTest;
    const given = 'seed' in st.input ? seededSelfTestInput(st.input.seed, inputs) : [st.input.bytes];
    const total = inputs.reduce((n, t) => n + t.bytes.length, 0);
    if (given.reduce((n, b) => n + b.length, 0) !== total) return false;
    const all = given.length === 1 ? given[0]! : concat(given);
    let offset = 0;
    for (const t of inputs) {
      t.bytes.set(all.subarray(offset, offset + t.bytes.length));
      offset += t.bytes.length;
    }
    interpreter.invoke();
    const outputs = interpreter.model.outputs.map((_, i) => interpreter.output(i));
    return selfTestOutputMatches(
      concat(outputs.map((o) => new Uint8Array(o.bytes))),
      st.expectedOutput,
      outputs,
      st.toleranceLsb,
    );
  } catch {
    return false;
  }
}

function decodeOrNull<T>(decode: (b: Uint8Array) => T, payload: Uint8Array): T | null {
  try {
    return decode(payload);
  } catch (err) {
    if (err instanceof WireError) return null;
    throw err;
  }
}

function firstMissing(chunks: Array<Uint8Array | undefined>): number {
  const i = chunks.findIndex((c) => c === undefined);
  return i === -1 ? chunks.length : i;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
