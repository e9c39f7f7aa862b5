/** @tinyfleet/artifact: signed model artifacts and the over-the-air (Huffman-coded) model container. Browser-safe. */
export { canonicalJson, prettyCanonicalJson } from './canonical-json';
export type { JsonValue } from './canonical-json';
export {
  decodeOtaContainer,
  encodeOtaContainer,
  isOtaContainer,
  OtaContainerError,
  OTA_CONTAINER_VERSION,
} from './ota-container';
export type { EncodedRecordStats, EncodeResult, WeightRange } from './ota-container';
export { huffmanEncode, huffmanDecode, huffmanCodeLengths, canonicalCodes } from './huffman-codec';
export * from './manifest.types';
export { signedMessage, SIGNATURE_DOMAIN } from './signed-message';
export { applyModelDelta, encodeModelDelta, ModelDeltaError } from './model-delta';
export { compareSemver } from './semver';
