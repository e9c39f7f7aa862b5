import { defineMessage } from '../message';
import {
  enumeration,
  fixedBytes,
  int,
  nullable,
  PROFILE_NAME,
  record,
  refine,
  schemaError,
  SEMVER,
  str,
  uint32,
} from '../schema';

/**
 * What follows the manifest in the transfer blob. Sent as its index (0 full, 1 huffman, 2 delta);
 * the order is wire format.
 *  - 'full':    the .tflite itself;
 *  - 'huffman': the Huffman-coded OTA container (`model.tfhc`, TFHC/1, see @tinyfleet/artifact);
 *  - 'delta':   a weight delta against the model whose sha256 is `baseSha256`.
 */
export const OTA_FORMS = ['full', 'huffman', 'delta'] as const;
export type OtaForm = (typeof OTA_FORMS)[number];

/** Largest transfer blob and largest reconstructed model: 16 MiB. */
export const OTA_MAX_TRANSFER_BYTES = 16 * 1024 * 1024;
export const OTA_MAX_MODEL_BYTES = OTA_MAX_TRANSFER_BYTES;
/** Chunk size range an offer may announce; every chunk but the last carries exactly chunkBytes. */
export const OTA_MIN_CHUNK_BYTES = 64;
export const OTA_MAX_CHUNK_BYTES = 4096;
/** The most chunks a transfer can have (16 MiB in 64-byte chunks): bounds every chunk count on the wire. */
export const OTA_MAX_CHUNK_COUNT = OTA_MAX_TRANSFER_BYTES / OTA_MIN_CHUNK_BYTES;
/** Ed25519 key ids: 16 lowercase hex characters. */
export const OTA_KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/**
 * down/ota-offer — one OtaJob's update offer. The transfer blob (transferBytes long, sha256
 * transferSha256) is the exact bytes of the signed manifest.json (manifestBytes long) followed by the
 * model payload in `form`. The device reassembles it from down/ota-chunk messages it asks for with
 * up/ota-request, verifies both hashes and the signature, and reports on up/ota-status.
 */
export interface OtaOfferV1 {
  /** uint32, the platform's OtaJob id; echoed in every OTA message of this job. */
  jobId: number;
  /** ^[a-z0-9][a-z0-9-]{0,31}$ */
  modelId: string;
  /** SemVer, at most 32 characters. */
  modelVersion: string;
  form: OtaForm;
  /** 1..16 MiB (at least 2 in practice: manifest + payload are both non-empty). */
  transferBytes: number;
  /** 64..4096 */
  chunkBytes: number;
  /** uint32; must equal ceil(transferBytes / chunkBytes). */
  chunkCount: number;
  /** sha256 of the whole transfer blob, 32 bytes. */
  transferSha256: Uint8Array;
  /** 1..transferBytes-1: length of the manifest.json prefix of the blob. */
  manifestBytes: number;
  /** sha256 of the reconstructed .tflite, 32 bytes (its first 4 bytes become InferenceEventV1.modelTag). */
  modelSha256: Uint8Array;
  /** 1..16 MiB: size of the reconstructed .tflite. */
  modelBytes: number;
  /** 32 bytes when form is 'delta' (sha256 of the base model), null otherwise. */
  baseSha256: Uint8Array | null;
  /** 64-byte Ed25519 signature over the artifact's signed message. */
  signature: Uint8Array;
  /** ^[0-9a-f]{16}$: which trusted key signed it. */
  keyId: string;
}

export const OTA_OFFER_V1_MAX_BYTES = 512;

/** ceil(transferBytes / chunkBytes): the only valid OtaOfferV1.chunkCount. */
export function otaChunkCount(transferBytes: number, chunkBytes: number): number {
  return Math.ceil(transferBytes / chunkBytes);
}

export const otaOfferV1Codec = defineMessage<OtaOfferV1>(
  'OtaOfferV1',
  OTA_OFFER_V1_MAX_BYTES,
  refine(
    record<OtaOfferV1>({
      jobId: uint32,
      modelId: str(1, 32, PROFILE_NAME),
      modelVersion: str(5, 32, SEMVER),
      form: enumeration(OTA_FORMS),
      transferBytes: int(1, OTA_MAX_TRANSFER_BYTES),
      chunkBytes: int(OTA_MIN_CHUNK_BYTES, OTA_MAX_CHUNK_BYTES),
      chunkCount: uint32,
      transferSha256: fixedBytes(32),
      manifestBytes: uint32,
      modelSha256: fixedBytes(32),
      modelBytes: int(1, OTA_MAX_MODEL_BYTES),
      baseSha256: nullable(fixedBytes(32)),
      signature: fixedBytes(64),
      keyId: str(16, 16, OTA_KEY_ID_PATTERN),
    }),
    (offer, path) => {
      const expected = otaChunkCount(offer.transferBytes, offer.chunkBytes);
      if (offer.chunkCount !== expected) {
        throw schemaError(
          `${path}.chunkCount`,
          `${offer.chunkCount} != ceil(transferBytes ${offer.transferBytes} / chunkBytes ${offer.chunkBytes}) = ${expected}`,
        );
      }
      if (offer.manifestBytes < 1 || offer.manifestBytes > offer.transferBytes - 1) {
        throw schemaError(
          `${path}.manifestBytes`,
          `${offer.manifestBytes} is outside 1..transferBytes-1 (${offer.transferBytes - 1})`,
        );
      }
      if (offer.form === 'delta' && offer.baseSha256 === null) {
        throw schemaError(`${path}.baseSha256`, "required (32 bytes) when form is 'delta'");
      }
      if (offer.form !== 'delta' && offer.baseSha256 !== null) {
        throw schemaError(`${path}.baseSha256`, `must be null when form is '${offer.form}'`);
      }
    },
  ),
);

export function encodeOtaOfferV1(message: OtaOfferV1): Uint8Array {
  return otaOfferV1Codec.encode(message);
}

export function decodeOtaOfferV1(bytes: Uint8Array): OtaOfferV1 {
  return otaOfferV1Codec.decode(bytes);
}
