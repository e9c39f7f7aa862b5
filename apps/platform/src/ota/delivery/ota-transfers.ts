import { Injectable } from '@nestjs/common';
import { encodeModelDelta } from '@tinyfleet/artifact';
import { crc32, OtaForm } from '@tinyfleet/wire';
import { createHash } from 'node:crypto';
import { BoundedCache } from '../../common/bounded-cache';
import type { ModelArtifact } from '../registry/model-artifact.entity';
import { ModelArtifactsRepository } from '../registry/model-artifacts.repository';

/**
 * Prepared transfers kept at once. Each holds a device manifest and a model payload (tens of KB up
 * to a few MB for the image models), so a handful covers every rollout in flight; one that was
 * evicted is prepared again on the next offer or chunk request.
 */
const MAX_PREPARED_TRANSFERS = 32;

/** One artifact prepared for the air: device manifest + model payload in the smallest available form. */
export interface Transfer {
  form: OtaForm;
  /** sha256 of the model a delta applies to. */
  baseSha256: Uint8Array | null;
  blob: Uint8Array;
  sha256: Uint8Array;
  manifestBytes: number;
  artifact: Pick<ModelArtifact, 'name' | 'version' | 'sha256' | 'signature' | 'keyId'> & { modelBytes: number };
  /** CRC-32 of each chunk (of the configured size), computed the first time a device asks for it. */
  chunkCrcs: Array<number | undefined>;
}

/**
 * Transfer preparation: the smallest of the .tflite, its Huffman-coded container and a delta
 * against the model the device runs, behind the signed device manifest. The device reconstructs the
 * exact .tflite and checks hash and signature itself. Prepared once per (artifact, base model) and
 * kept in a bounded cache: artifacts never change once registered, so every platform instance may
 * keep its own and none can go stale.
 */
@Injectable()
export class OtaTransfers {
  private readonly prepared = new BoundedCache<string, Promise<Transfer>>(MAX_PREPARED_TRANSFERS);

  constructor(private readonly artifacts: ModelArtifactsRepository) {}

  get(job: { artifactId: number; fromSha256: string | null }): Promise<Transfer> {
    return this.prepared.getOrCreate(`${job.artifactId}:${job.fromSha256 ?? ''}`, () =>
      this.prepare(job.artifactId, job.fromSha256),
    );
  }

  /** Chunk `index` of a transfer and its CRC-32. */
  static chunk(t: Transfer, index: number, chunkBytes: number): { data: Uint8Array; crc32: number } {
    const data = t.blob.subarray(index * chunkBytes, Math.min(t.blob.length, (index + 1) * chunkBytes));
    return { data, crc32: (t.chunkCrcs[index] ??= crc32(data)) };
  }

  private async prepare(artifactId: number, fromSha256: string | null): Promise<Transfer> {
    const a = await this.artifacts.load(artifactId);
    const base = fromSha256 ? await this.artifacts.modelBytesBySha256(fromSha256) : null;
    const candidates: Array<{ form: OtaForm; payload: Uint8Array; baseSha256: Uint8Array | null }> = [
      { form: 'full', payload: a.modelBytes, baseSha256: null },
    ];
    if (a.otaBytes) candidates.push({ form: 'huffman', payload: a.otaBytes, baseSha256: null });
    if (base)
      candidates.push({
        form: 'delta',
        payload: encodeModelDelta(base, a.modelBytes),
        baseSha256: Buffer.from(fromSha256!, 'hex'),
      });
    const best = candidates.reduce((x, y) => (y.payload.length < x.payload.length ? y : x));
    if (!a.deviceManifest)
      throw new Error(
        `${a.name}@${a.version} predates device manifests (TFDM/1): rebuild or re-package and push it again`,
      );
    const manifest = a.deviceManifest;
    const blob = new Uint8Array(Buffer.concat([manifest, best.payload]));
    return {
      form: best.form,
      baseSha256: best.baseSha256,
      blob,
      sha256: createHash('sha256').update(blob).digest(),
      manifestBytes: manifest.length,
      artifact: {
        name: a.name,
        version: a.version,
        sha256: a.sha256,
        signature: a.signature,
        keyId: a.keyId,
        modelBytes: a.modelBytes.length,
      },
      chunkCrcs: [],
    };
  }
}
