import { defineMessage } from '../message';
import {
  describe,
  enumeration,
  nullable,
  PRINTABLE_ASCII_NO_SPACE,
  schemaError,
  str,
  uint32,
  type FieldCodec,
} from '../schema';
import { DEVICE_ID_PATTERN } from '../topics';

/** Wire codes are the index in this array: 0 registered, 1 reused, 2 replaced, 3 refused. */
export const PROVISION_STATUSES = ['registered', 'reused', 'replaced', 'refused'] as const;
export type ProvisionStatus = (typeof PROVISION_STATUSES)[number];
export type ProvisionAcceptedStatus = Exclude<ProvisionStatus, 'refused'>;

/** Wire codes are the index in this array (0..10); append only. */
export const PROVISION_REFUSAL_REASONS = [
  'claim-expired',
  'claim-exhausted',
  'claim-revoked',
  'rate-limited',
  'hardware-id-taken',
  'profile-not-allowed',
  'invalid-request',
  'internal-error',
  'hardware-id-bound',
  'unknown-profile',
  'overloaded',
] as const;
export type ProvisionRefusalReason = (typeof PROVISION_REFUSAL_REASONS)[number];

export interface ProvisionAcceptedV1 {
  status: ProvisionAcceptedStatus;
  /** ^[a-z0-9][a-z0-9-]{2,63}$ (same rule as topics). */
  deviceId: string;
  /**
   * 16..1024 printable ASCII without space. Required for 'registered' and 'replaced'; may be null only
   * for 'reused', meaning "keep the secret you already have". Up to 1024 because on a NATS cluster
   * (docs/scale-out.md) the secret is a signed user JWT (about 560 characters), not a random token.
   */
  deviceSecret: string | null;
  /** 1..128 printable ASCII without space. */
  mqttUsername: string;
}

export interface ProvisionRefusedV1 {
  status: 'refused';
  reason: ProvisionRefusalReason;
  /** uint32 seconds the device should wait before retrying, or null for "do not retry automatically". */
  retryAfterS: number | null;
}

/** Provisioning response, published by the platform on the session's response topic. */
export type ProvisionResponseV1 = ProvisionAcceptedV1 | ProvisionRefusedV1;

export const PROVISION_RESPONSE_V1_MAX_BYTES = 2048;

const statusField = enumeration(PROVISION_STATUSES);
const reasonField = enumeration(PROVISION_REFUSAL_REASONS);
const deviceIdField = str(3, 64, DEVICE_ID_PATTERN);
const secretField = nullable(str(16, 1024, PRINTABLE_ASCII_NO_SPACE));
const usernameField = str(1, 128, PRINTABLE_ASCII_NO_SPACE);
const retryField = nullable(uint32);

const ACCEPTED_KEYS = ['status', 'deviceId', 'deviceSecret', 'mqttUsername'];
const REFUSED_KEYS = ['status', 'reason', 'retryAfterS'];

function checkKeys(value: object, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw schemaError(`${path}.${key}`, 'unknown field');
  }
  for (const key of allowed) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) throw schemaError(`${path}.${key}`, 'missing field');
  }
}

function checkSecretPresence(status: ProvisionStatus, secret: unknown, path: string): void {
  if (secret === null && status !== 'reused') {
    throw schemaError(`${path}.deviceSecret`, `may be null only when status is 'reused', not '${status}'`);
  }
}

/**
 * Wire shape (a tagged positional array, first element = status code):
 *   accepted: [status 0..2, deviceId, deviceSecret / null, mqttUsername]
 *   refused:  [3, reason 0..7, retryAfterS / null]
 */
const provisionResponseField: FieldCodec<ProvisionResponseV1> = {
  encode(value, path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw schemaError(path, `expected an object, got ${describe(value)}`);
    }
    const v = value as Record<string, unknown>;
    const statusCode = statusField.encode(v.status, `${path}.status`);
    if (v.status === 'refused') {
      checkKeys(v, REFUSED_KEYS, path);
      return [
        statusCode,
        reasonField.encode(v.reason, `${path}.reason`),
        retryField.encode(v.retryAfterS, `${path}.retryAfterS`),
      ];
    }
    checkKeys(v, ACCEPTED_KEYS, path);
    checkSecretPresence(v.status as ProvisionStatus, v.deviceSecret, path);
    return [
      statusCode,
      deviceIdField.encode(v.deviceId, `${path}.deviceId`),
      secretField.encode(v.deviceSecret, `${path}.deviceSecret`),
      usernameField.encode(v.mqttUsername, `${path}.mqttUsername`),
    ];
  },
  decode(wire, path) {
    if (!Array.isArray(wire) || wire.length < 1)
      throw schemaError(path, `expected a non-empty array, got ${describe(wire)}`);
    const status = statusField.decode(wire[0], `${path}.status`);
    if (status === 'refused') {
      if (wire.length !== 3) throw schemaError(path, `refused response must be an array of 3, got ${wire.length}`);
      return {
        status,
        reason: reasonField.decode(wire[1], `${path}.reason`),
        retryAfterS: retryField.decode(wire[2], `${path}.retryAfterS`),
      };
    }
    if (wire.length !== 4) throw schemaError(path, `accepted response must be an array of 4, got ${wire.length}`);
    checkSecretPresence(status, wire[2], path);
    return {
      status,
      deviceId: deviceIdField.decode(wire[1], `${path}.deviceId`),
      deviceSecret: secretField.decode(wire[2], `${path}.deviceSecret`),
      mqttUsername: usernameField.decode(wire[3], `${path}.mqttUsername`),
    };
  },
};

export const provisionResponseV1Codec = defineMessage<ProvisionResponseV1>(
  'ProvisionResponseV1',
  PROVISION_RESPONSE_V1_MAX_BYTES,
  provisionResponseField,
);

export function encodeProvisionResponseV1(message: ProvisionResponseV1): Uint8Array {
  return provisionResponseV1Codec.encode(message);
}

export function decodeProvisionResponseV1(bytes: Uint8Array): ProvisionResponseV1 {
  return provisionResponseV1Codec.decode(bytes);
}
