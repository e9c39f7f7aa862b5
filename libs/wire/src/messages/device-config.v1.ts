import { defineMessage } from '../message';
import { enumeration, int, int8, record } from '../schema';

/** When the device publishes up/event. Sent as its index in this array (0, 1, 2). */
export const EVENT_POLICIES = ['on-change', 'every', 'threshold'] as const;
export type EventPolicy = (typeof EVENT_POLICIES)[number];

/** One day: long enough for any deployment, short enough that a typo cannot silence a device for years. */
export const MAX_REPORT_INTERVAL_S = 86_400;

/** down/config — small runtime configuration push, published by the platform. */
export interface DeviceConfigV1 {
  /** 1..86400 seconds between up/status heartbeats. */
  statusIntervalS: number;
  /** 1..86400 seconds between up/energy snapshots. */
  energyIntervalS: number;
  eventPolicy: EventPolicy;
  /** -128..127; used by the 'threshold' policy (publish when scoreQ >= threshold), carried always. */
  scoreThresholdQ: number;
}

export const DEVICE_CONFIG_V1_MAX_BYTES = 128;

export const deviceConfigV1Codec = defineMessage<DeviceConfigV1>(
  'DeviceConfigV1',
  DEVICE_CONFIG_V1_MAX_BYTES,
  record<DeviceConfigV1>({
    statusIntervalS: int(1, MAX_REPORT_INTERVAL_S),
    energyIntervalS: int(1, MAX_REPORT_INTERVAL_S),
    eventPolicy: enumeration(EVENT_POLICIES),
    scoreThresholdQ: int8,
  }),
);

export function encodeDeviceConfigV1(message: DeviceConfigV1): Uint8Array {
  return deviceConfigV1Codec.encode(message);
}

export function decodeDeviceConfigV1(bytes: Uint8Array): DeviceConfigV1 {
  return deviceConfigV1Codec.decode(bytes);
}
