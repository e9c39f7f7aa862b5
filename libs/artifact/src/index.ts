/** @tinyfleet/artifact: signed model artifacts and the over-the-air (Huffman-coded) model container. Node (node:crypto for hashes). */
export { manifestJson } from './manifest-json';
export {
  decodeOtaContainer,
  encodeOtaContainer,
  isOtaContainer,
  OtaContainerError,
  OTA_CONTAINER_VERSION,
} from './ota-container';
export type { DecodeOtaOptions, EncodedRecordStats, EncodeResult, WeightRange } from './ota-container';
export { OTA_MODEL_BYTES_LIMIT } from './ota-limits';
export { huffmanEncode, huffmanDecode, huffmanCodeLengths, canonicalCodes } from './huffman-codec';
export * from './manifest.types';
export { signedMessage, SIGNATURE_DOMAIN } from './signed-message';
export { CborError, CborFloat, decodeCbor, encodeCbor } from './cbor-lite';
export type { CborValue } from './cbor-lite';
export {
  decodeDeviceManifest,
  deviceManifestOf,
  DeviceManifestError,
  DEVICE_MANIFEST_VERSION,
  encodeDeviceManifest,
  preprocessingOf,
} from './device-manifest';
export type { DeviceManifest, DevicePreprocessing, DeviceSelfTest, DeviceTensorSpec } from './device-manifest';
export { ChannelStatisticsError, roundChannelStatistics } from './channel-statistics';
export { seededSelfTestInput, selfTestOutputMatches, tensorBytes } from './self-test-input';
export type { SelfTestTensor } from './self-test-input';
export { applyModelDelta, encodeModelDelta, ModelDeltaError } from './model-delta';
export type { ApplyModelDeltaOptions } from './model-delta';
export { compareSemver } from './semver';
