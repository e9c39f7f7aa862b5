import { defineMessage } from '../message';
import { PRINTABLE_ASCII, PROFILE_NAME, record, SEMVER, str } from '../schema';

/**
 * Provisioning request, published by a device connected with a claim credential (the credential is
 * in the MQTT CONNECT username/password, never in the payload) on its session's request topic.
 */
export interface ProvisionRequestV1 {
  /** 1..64 printable ASCII (0x20..0x7e): the device's stable hardware identity. */
  hardwareId: string;
  /** ^[a-z0-9][a-z0-9-]{0,31}$ */
  mcuProfile: string;
  /** ^[a-z0-9][a-z0-9-]{0,31}$ */
  radioProfile: string;
  /** Printable ASCII, 1..32. */
  firmwareVersion: string;
  /** ^[a-z0-9][a-z0-9-]{0,31}$ */
  sensorStream: string;
  /** SemVer, at most 16 characters. */
  interpreterVersion: string;
}

export const PROVISION_REQUEST_V1_MAX_BYTES = 512;

export const provisionRequestV1Codec = defineMessage<ProvisionRequestV1>(
  'ProvisionRequestV1',
  PROVISION_REQUEST_V1_MAX_BYTES,
  record<ProvisionRequestV1>({
    hardwareId: str(1, 64, PRINTABLE_ASCII),
    mcuProfile: str(1, 32, PROFILE_NAME),
    radioProfile: str(1, 32, PROFILE_NAME),
    firmwareVersion: str(1, 32, PRINTABLE_ASCII),
    sensorStream: str(1, 32, PROFILE_NAME),
    interpreterVersion: str(5, 16, SEMVER),
  }),
);

export function encodeProvisionRequestV1(message: ProvisionRequestV1): Uint8Array {
  return provisionRequestV1Codec.encode(message);
}

export function decodeProvisionRequestV1(bytes: Uint8Array): ProvisionRequestV1 {
  return provisionRequestV1Codec.decode(bytes);
}
