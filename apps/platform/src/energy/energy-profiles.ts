import {
  BATTERY_PROFILES,
  BatteryId,
  BatteryProfile,
  MCU_PROFILES,
  McuProfile,
  RADIO_PROFILES,
  RadioProfile,
  SENSOR_PROFILES,
  SensorProfile,
} from '@tinyfleet/energy';

/** What the report knows about one device (from the devices table). */
export interface DeviceInfo {
  id: string;
  /** Shown next to the id (device ids are generated; hardware ids are what people recognise). */
  hardwareId?: string;
  sensorStream: string;
  mcuProfile: string;
  radioProfile: string;
  tags: string[];
  /** `modelId@modelVersion` of the active slot in the last status, or null before the first status/model. */
  activeModel: string | null;
}

export interface ResolvedProfiles {
  mcu: McuProfile | null;
  radio: RadioProfile | null;
  sensor: SensorProfile | null;
  battery: BatteryProfile;
  /** How the battery was chosen: a `battery-<id>` device tag (claim tags are copied to devices), the report's `battery` parameter, or the default. */
  batterySource: 'tag' | 'query' | 'default';
}

/** Used when a device has no `battery-<id>` tag: the protocol does not carry the battery (stated in the report). */
export const DEFAULT_BATTERY: BatteryId = 'aa-alkaline-2s';

/**
 * Profile ids as devices report them. Exact ids first; otherwise a unique library id ending in
 * `-<id>` (devices may report `ble-1m` for `nrf52840-ble-1m`). Unknown → null (figures that need the
 * profile are then omitted, never guessed).
 */
export function resolveProfileId<T extends string>(known: readonly T[], id: string): T | null {
  if ((known as readonly string[]).includes(id)) return id as T;
  const matches = known.filter((k) => k.endsWith(`-${id}`));
  return matches.length === 1 ? matches[0]! : null;
}

export function resolveMcu(id: string): McuProfile | null {
  const k = resolveProfileId(Object.keys(MCU_PROFILES) as Array<keyof typeof MCU_PROFILES>, id);
  return k ? MCU_PROFILES[k] : null;
}

export function resolveRadio(id: string): RadioProfile | null {
  const k = resolveProfileId(Object.keys(RADIO_PROFILES) as Array<keyof typeof RADIO_PROFILES>, id);
  return k ? RADIO_PROFILES[k] : null;
}

/** Streams are named `<sensor>` or `<sensor>-<variant>` (`gas-fruit` → `gas`). */
export function resolveSensor(stream: string): SensorProfile | null {
  const base = stream in SENSOR_PROFILES ? stream : stream.split('-')[0]!;
  return (SENSOR_PROFILES as Record<string, SensorProfile>)[base] ?? null;
}

export function isBatteryId(id: string): id is BatteryId {
  return id in BATTERY_PROFILES;
}

export function resolveProfiles(device: DeviceInfo, batteryOverride?: BatteryId): ResolvedProfiles {
  const tagged = device.tags
    .map((t) => /^battery[:=-](.+)$/.exec(t)?.[1])
    .find((id): id is BatteryId => !!id && isBatteryId(id));
  const batteryId = batteryOverride ?? tagged ?? DEFAULT_BATTERY;
  return {
    mcu: resolveMcu(device.mcuProfile),
    radio: resolveRadio(device.radioProfile),
    sensor: resolveSensor(device.sensorStream),
    battery: BATTERY_PROFILES[batteryId],
    batterySource: batteryOverride ? 'query' : tagged ? 'tag' : 'default',
  };
}

/** Radio floor while the node sleeps, µW (same formula as the library's `radioSleepPowerUw`). */
export function radioSleepUw(radio: RadioProfile): number {
  return radio.sleepCurrentUa * radio.supplyV;
}

/**
 * µJ per MAC of an MCU's optimised kernels. The kernel mix of the fleet's models is not in the stored
 * data, so the convolution figure stands for all MACs (conv dominates every MLPerf model's MACs).
 */
export function ujPerMac(mcu: McuProfile): number {
  const cyclesPerMac = mcu.cyclesPerMac.optimized.conv;
  return (cyclesPerMac / mcu.clockHz) * 1000 * mcu.activePowerMw * mcu.nnActivityFactor;
}
