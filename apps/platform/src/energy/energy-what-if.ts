import {
  connectCost,
  EU868_DUTY_CYCLE,
  keepAliveCostUj,
  McuProfile,
  messageCost,
  RadioProfile,
  TTN_FAIR_USE_UPLINK_S_PER_DAY,
} from '@tinyfleet/energy';
import type { DeviceEnergy, EventStats } from './energy-aggregate';
import { deviceEnergy, deviceMode } from './energy-aggregate';
import type { DeviceTotals } from './energy-counters';
import { radioSleepUw, ResolvedProfiles, ujPerMac } from './energy-profiles';

/**
 * Re-costing the fleet's own workload on other radios and MCUs, from the ledger counts (messages,
 * samples, inferences, observed time) — not from the source radio's joules. Payload sizes (application
 * bytes per message) are not stored, so:
 * - an inference event is 29 B (EncodedInferenceEventV1 with a 6-digit seq and a 350 µJ energy);
 * - a telemetry message (status/energy) is 78 B (an EnergySnapshotV1 with 7-digit counters);
 * - a raw sample's payload is recovered by inverting the source radio's byte model on
 *   rawBytesUp / rawMessagesUp (else the sensor profile's rawSampleBytes);
 * - downlinks are 16-B config messages, counted as radioRxUj / (cost of one on the source radio);
 * - one connect per boot observed, plus the target radio's keep-alive over the observed time;
 * - QoS 1 on both edge and raw messages (as the simulator sends them), topic tinyfleet/v1/d/<id>/up/event.
 */
export const EVENT_PAYLOAD_BYTES = 29;
export const TELEMETRY_PAYLOAD_BYTES = 78;
export const CONFIG_PAYLOAD_BYTES = 16;

export interface WhatIfDevice {
  totals: DeviceTotals;
  profiles: ResolvedProfiles;
  events: EventStats | undefined;
}

export interface Airtime {
  edgeMs: number;
  rawMs: number;
}

interface FragmentedCost {
  energyUj: number;
  airtimeMs: number;
  bytesOnAir: number;
  frames: number;
}
// A fleet repeats the same few (radio, payload, topic length) triples; BLE costs of big frames take ms each.
const costCache = new Map<string, FragmentedCost>();
const inverseCache = new Map<string, number | null>();

/** One message of `payloadBytes`; LoRa frames are limited (PHY ≤ 255 B), so bigger payloads are fragmented. */
export function messageCostFragmented(
  radio: RadioProfile,
  payloadBytes: number,
  topicBytes: number,
  direction: 'up' | 'down' = 'up',
): FragmentedCost {
  const key = `${radio.id}:${payloadBytes}:${topicBytes}:${direction}`;
  let cost = costCache.get(key);
  if (!cost) {
    cost = fragmented(radio, payloadBytes, topicBytes, direction);
    if (costCache.size > 10_000) costCache.clear();
    costCache.set(key, cost);
  }
  return cost;
}

const connectCache = new Map<string, number>();
function connectUj(radio: RadioProfile): number {
  let uj = connectCache.get(radio.id);
  if (uj === undefined) connectCache.set(radio.id, (uj = connectCost(radio).energyUj));
  return uj;
}

function fragmented(
  radio: RadioProfile,
  payloadBytes: number,
  topicBytes: number,
  direction: 'up' | 'down',
): FragmentedCost {
  const one = (p: number) => messageCost(radio, { payloadBytes: p, direction, qos: 1, topicBytes });
  if (radio.kind !== 'lora') {
    const c = one(payloadBytes);
    return { energyUj: c.energyUj, airtimeMs: c.airtimeMs, bytesOnAir: c.bytesOnAir, frames: 1 };
  }
  const max = maxLoraPayload(radio, topicBytes);
  const frames = Math.max(1, Math.ceil(payloadBytes / max));
  const full = one(max);
  const last = one(payloadBytes - (frames - 1) * max);
  return {
    energyUj: (frames - 1) * full.energyUj + last.energyUj,
    airtimeMs: (frames - 1) * full.airtimeMs + last.airtimeMs,
    bytesOnAir: (frames - 1) * full.bytesOnAir + last.bytesOnAir,
    frames,
  };
}

const loraMax = new Map<string, number>();
function maxLoraPayload(radio: RadioProfile, topicBytes: number): number {
  const key = `${radio.id}:${topicBytes}`;
  let max = loraMax.get(key);
  if (max === undefined) {
    max = 0;
    for (let p = 1; p <= 255; p++) {
      try {
        messageCost(radio, { payloadBytes: p, direction: 'up', qos: 1, topicBytes });
        max = p;
      } catch {
        break;
      }
    }
    loraMax.set(key, Math.max(1, max));
  }
  return max;
}

/** Smallest payload whose uplink puts at least `bytesUp` bytes on air over `radio` (null when none does). */
export function invertPayloadBytes(radio: RadioProfile, bytesUp: number, topicBytes: number): number | null {
  const key = `${radio.id}:${bytesUp}:${topicBytes}`;
  if (!inverseCache.has(key)) {
    if (inverseCache.size > 10_000) inverseCache.clear();
    inverseCache.set(key, invert(radio, bytesUp, topicBytes));
  }
  return inverseCache.get(key)!;
}

function invert(radio: RadioProfile, bytesUp: number, topicBytes: number): number | null {
  const bytesOf = (p: number): number | null => {
    try {
      return messageCost(radio, { payloadBytes: p, direction: 'up', qos: 1, topicBytes }).breakdown.bytesUp;
    } catch {
      return null;
    }
  };
  // A payload never exceeds the bytes it puts on air: that bounds the search (BLE costs grow fast with size).
  let lo = 0,
    hi = Math.max(0, Math.ceil(bytesUp));
  const base = bytesOf(0);
  if (base === null || base > bytesUp) return null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const b = bytesOf(mid);
    if (b === null || b >= bytesUp) hi = mid;
    else lo = mid + 1;
  }
  return bytesOf(lo) === null ? null : lo;
}

export function rawPayloadBytes(w: WhatIfDevice, topicBytes: number): number | null {
  const c = w.totals.counters;
  if (w.profiles.radio && c.rawMessagesUp > 0) {
    const inverted = invertPayloadBytes(w.profiles.radio, Math.round(c.rawBytesUp / c.rawMessagesUp), topicBytes);
    if (inverted !== null) return inverted;
  }
  return w.profiles.sensor?.rawSampleBytes ?? null;
}

/** The device's workload on `target` radio (its own MCU). Null when the source radio or raw payload is unknown. */
export function reCostOnRadio(
  w: WhatIfDevice,
  target: RadioProfile,
  topicBytes: number,
): { energy: DeviceEnergy; airtime: Airtime } | null {
  const src = w.profiles.radio;
  const c = w.totals.counters;
  const rawP = rawPayloadBytes(w, topicBytes);
  if (!src || (c.rawMessagesUp > 0 && rawP === null)) return null;
  const streaming = deviceMode(c) === 'streaming';
  // A streaming node's uplinks are its raw samples plus telemetry; an edge node's are events plus telemetry.
  const telemetry = Math.max(0, c.messagesUp - c.events - (streaming ? c.rawMessagesUp : 0));
  const ev = messageCostFragmented(target, EVENT_PAYLOAD_BYTES, topicBytes);
  const tel = messageCostFragmented(target, TELEMETRY_PAYLOAD_BYTES, topicBytes);
  const raw =
    rawP === null
      ? { energyUj: 0, airtimeMs: 0, bytesOnAir: 0, frames: 0 }
      : messageCostFragmented(target, rawP, topicBytes);
  const srcDown = messageCostFragmented(src, CONFIG_PAYLOAD_BYTES, topicBytes, 'down');
  const downlinks = srcDown.energyUj > 0 ? Math.round(c.radioRxUj / srcDown.energyUj) : 0;
  const tgtDown = messageCostFragmented(target, CONFIG_PAYLOAD_BYTES, topicBytes, 'down');
  const link = Math.max(1, w.totals.boots) * connectUj(target) + keepAliveCostUj(target, w.totals.observedMs / 1000);
  const srcFloor = (w.profiles.mcu?.sleepPowerUw ?? 0) + radioSleepUw(src);
  const tgtFloor = (w.profiles.mcu?.sleepPowerUw ?? 0) + radioSleepUw(target);
  const sleepUj = srcFloor > 0 ? (c.sleepUj * tgtFloor) / srcFloor : c.sleepUj;
  const stream = streaming
    ? {
        uj: c.rawMessagesUp * raw.energyUj,
        bytes: c.rawMessagesUp * raw.bytesOnAir,
        frames: c.rawMessagesUp * raw.frames,
      }
    : { uj: 0, bytes: 0, frames: 0 };
  const counters = {
    ...c,
    radioTxUj: c.events * ev.energyUj + telemetry * tel.energyUj + stream.uj,
    radioRxUj: downlinks * tgtDown.energyUj,
    radioConnectUj: link,
    rawRadioUj: c.rawMessagesUp * raw.energyUj,
    sleepUj,
    bytesUp: c.events * ev.bytesOnAir + telemetry * tel.bytesOnAir + stream.bytes,
    bytesDown: downlinks * tgtDown.bytesOnAir,
    rawBytesUp: c.rawMessagesUp * raw.bytesOnAir,
    messagesUp: c.events * ev.frames + telemetry * tel.frames + stream.frames,
    rawMessagesUp: c.rawMessagesUp * raw.frames,
  };
  const exactTelemetry = {
    txUj: telemetry * tel.energyUj,
    bytesOnAir: telemetry * tel.bytesOnAir,
    messages: telemetry * tel.frames,
  };
  const energy = deviceEnergy(
    { ...w.totals, counters },
    { ...w.profiles, radio: target },
    w.events,
    streaming ? undefined : exactTelemetry,
  );
  return {
    energy,
    airtime: {
      edgeMs: c.events * ev.airtimeMs + telemetry * tel.airtimeMs + (streaming ? c.rawMessagesUp * raw.airtimeMs : 0),
      rawMs: c.rawMessagesUp * raw.airtimeMs + telemetry * tel.airtimeMs,
    },
  };
}

/**
 * The device's workload on `target` MCU (its own radio). MACs per inference are not stored: they are
 * derived as inference µJ ÷ the source MCU's µJ/MAC, then re-costed at the target's µJ/MAC. Wake-ups
 * scale by wakeUj, sleep by the node floor (MCU sleep + radio sleep). Memory fit is not checked.
 */
export function reCostOnMcu(w: WhatIfDevice, target: McuProfile): DeviceEnergy | null {
  const src = w.profiles.mcu;
  if (!src) return null;
  const c = w.totals.counters;
  const base = deviceEnergy(w.totals, w.profiles, w.events);
  const macs = base.inferenceComputeUj / ujPerMac(src);
  const wakeUj = c.computeUj - base.inferenceComputeUj;
  const radioFloor = w.profiles.radio ? radioSleepUw(w.profiles.radio) : 0;
  const srcFloor = src.sleepPowerUw + radioFloor;
  const tgtInferenceUj = macs * ujPerMac(target);
  const counters = {
    ...c,
    computeUj: tgtInferenceUj + (src.wakeUj > 0 ? (wakeUj * target.wakeUj) / src.wakeUj : wakeUj),
    sleepUj: srcFloor > 0 ? (c.sleepUj * (target.sleepPowerUw + radioFloor)) / srcFloor : c.sleepUj,
  };
  // Inference compute on the target is known exactly here: pass it as a one-inference "event" mean.
  const events = c.inferences > 0 ? { events: 1, energyUjSum: tgtInferenceUj / c.inferences } : undefined;
  return deviceEnergy({ ...w.totals, counters }, { ...w.profiles, mcu: target }, events);
}

export interface DutyCycleCheck {
  /** EU868 sub-band duty cycle (1 %): at most 864 s of airtime per day. */
  dutyCycleLimitSPerDay: number;
  fairUseLimitSPerDay: number;
  maxEdgeAirtimeSPerDay: number;
  maxRawAirtimeSPerDay: number;
  edgeViolations: number;
  rawViolations: number;
  edgeFairUseViolations: number;
  rawFairUseViolations: number;
}

/** Per-device airtime per day against the EU868 1 % duty cycle and the TTN fair-use policy. */
export function dutyCycleCheck(perDevice: ReadonlyArray<{ airtime: Airtime; observedMs: number }>): DutyCycleCheck {
  const limit = 86_400 * EU868_DUTY_CYCLE;
  const out: DutyCycleCheck = {
    dutyCycleLimitSPerDay: limit,
    fairUseLimitSPerDay: TTN_FAIR_USE_UPLINK_S_PER_DAY,
    maxEdgeAirtimeSPerDay: 0,
    maxRawAirtimeSPerDay: 0,
    edgeViolations: 0,
    rawViolations: 0,
    edgeFairUseViolations: 0,
    rawFairUseViolations: 0,
  };
  for (const d of perDevice) {
    if (d.observedMs <= 0) continue;
    const days = d.observedMs / 86_400_000;
    const e = d.airtime.edgeMs / 1000 / days;
    const r = d.airtime.rawMs / 1000 / days;
    out.maxEdgeAirtimeSPerDay = Math.max(out.maxEdgeAirtimeSPerDay, Number(e.toPrecision(6)));
    out.maxRawAirtimeSPerDay = Math.max(out.maxRawAirtimeSPerDay, Number(r.toPrecision(6)));
    if (e > limit) out.edgeViolations++;
    if (r > limit) out.rawViolations++;
    if (e > TTN_FAIR_USE_UPLINK_S_PER_DAY) out.edgeFairUseViolations++;
    if (r > TTN_FAIR_USE_UPLINK_S_PER_DAY) out.rawFairUseViolations++;
  }
  return out;
}
