import { defineMessage } from '../message';
import { bytes, record, refine, schemaError, SEMVER, str, unixMs } from '../schema';

/**
 * up/capabilities — what the device's interpreter can run, sent after every connect (and again when
 * its firmware changes): its version and its op set, the ops (and types) the firmware registered, so
 * rollout admission refuses a model that needs an op the device lacks, and names the op.
 */
export interface DeviceCapabilitiesV1 {
  /** Device clock, unix ms. */
  timestampMs: number;
  /** The interpreter's semver (as ProvisionRequestV1.interpreterVersion). */
  interpreterVersion: string;
  /**
   * The op set, 2..64 bytes: version 1, a byte count n, an n-byte bitset over the append-only op-code
   * list, an n-byte bitset of the ops registered for some types only, then a 16-bit little-endian type
   * mask per such op (docs/protocol.md "Op sets"; libs/tinyml resolver/op-set.ts).
   */
  opSet: Uint8Array;
}

export const DEVICE_CAPABILITIES_V1_MAX_BYTES = 128;

export const deviceCapabilitiesV1Codec = defineMessage<DeviceCapabilitiesV1>(
  'DeviceCapabilitiesV1',
  DEVICE_CAPABILITIES_V1_MAX_BYTES,
  refine(
    record<DeviceCapabilitiesV1>({
      timestampMs: unixMs,
      interpreterVersion: str(5, 16, SEMVER),
      opSet: bytes(2, 64),
    }),
    (c, path) => {
      const n = c.opSet[1]!;
      const rest = c.opSet.length - 2 - 2 * n;
      if (c.opSet[0] !== 1) throw schemaError(`${path}.opSet`, `version ${c.opSet[0]}, expected 1`);
      if (rest < 0 || rest % 2 !== 0)
        throw schemaError(`${path}.opSet`, `${c.opSet.length} bytes do not fit a ${n}-byte bitset and type masks`);
    },
  ),
);

export function encodeDeviceCapabilitiesV1(message: DeviceCapabilitiesV1): Uint8Array {
  return deviceCapabilitiesV1Codec.encode(message);
}

export function decodeDeviceCapabilitiesV1(bytes: Uint8Array): DeviceCapabilitiesV1 {
  return deviceCapabilitiesV1Codec.decode(bytes);
}
