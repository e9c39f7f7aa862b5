/**
 * What a model costs on a target device, from the exported .tflite: device RAM and flash from the
 * interpreter, latency and energy per inference from libs/energy's MCU model (CMSIS-NN class
 * kernels), and joules per day of compute plus the radio messages the model's conclusions cause.
 */
import {
  inferenceCost,
  MCU_PROFILES,
  messageCost,
  modelBudget,
  RADIO_PROFILES,
  type McuId,
  type McuProfile,
  type RadioId,
  type RadioProfile,
} from '@tinyfleet/energy';
import { inspectModel, Interpreter, loadModel } from '@tinyfleet/tinyml';
import { PipelineError } from '../pipeline.types';

/** The RAM a model needs on the device: libs/tinyml's device total (activations + scratch + persistent). */
export function deviceRamBytes(interpreter: Interpreter): number {
  return interpreter.memory.totalBytes;
}

/** The largest payload of an inference event (InferenceEventV1 in CBOR, libs/wire size spec). */
export const EVENT_PAYLOAD_BYTES = 34;

export interface DeviceTarget {
  mcu: McuProfile;
  radio: RadioProfile;
  /** Flash for one model slot (A/B: the other slot holds a model of the same size) and RAM for it. */
  maxFlashBytes: number;
  maxRamBytes: number;
  maxLatencyMs: number;
  notes: string;
}

export class TargetError extends PipelineError {
  override name = 'TargetError';
}

export function resolveTarget(opts: {
  mcu: string;
  radio?: string;
  maxLatencyMs?: number;
  maxRamBytes?: number;
  maxFlashBytes?: number;
}): DeviceTarget {
  const mcu = MCU_PROFILES[opts.mcu as McuId];
  if (!mcu) throw new TargetError(`unknown MCU profile "${opts.mcu}"; known: ${Object.keys(MCU_PROFILES).join(', ')}`);
  const radioId = opts.radio ?? 'nrf52840-ble-1m';
  const radio = RADIO_PROFILES[radioId as RadioId];
  if (!radio)
    throw new TargetError(`unknown radio profile "${radioId}"; known: ${Object.keys(RADIO_PROFILES).join(', ')}`);
  const budget = modelBudget(mcu);
  // Two A/B slots of the model must fit beside the firmware, so one model gets half the room.
  const slotFlash = Math.floor(budget.flashBytesForModel / 2);
  return {
    mcu,
    radio,
    maxFlashBytes: Math.min(opts.maxFlashBytes ?? Infinity, slotFlash),
    maxRamBytes: Math.min(opts.maxRamBytes ?? Infinity, budget.ramBytesForArena),
    maxLatencyMs: opts.maxLatencyMs ?? Infinity,
    notes: `${mcu.label}: ${mcu.flashBytes} B flash − ${budget.firmwareFlashBytes} B firmware, halved for A/B slots = ${slotFlash} B per model; ${mcu.sramBytes} B SRAM − ${budget.firmwareRamBytes} B firmware = ${budget.ramBytesForArena} B (libs/energy firmware-footprint [ASSUME])`,
  };
}

export interface DeviceCost {
  flashBytes: number;
  ramBytes: number;
  macs: number;
  latencyMs: number;
  inferenceUj: number;
  /** Compute + event radio per day, joules. */
  joulesPerDay: number;
  computeJPerDay: number;
  radioJPerDay: number;
  fits: boolean;
  /** Why it does not fit (empty when it does). */
  misses: string[];
}

/**
 * @param inferencesPerDay how often the node runs the model
 * @param eventsPerInference share of inferences that send an event (on-change reporting: how often the
 *   predicted class changes along the recording)
 */
export function deviceCost(
  tflite: Uint8Array,
  target: DeviceTarget,
  inferencesPerDay: number,
  eventsPerInference: number,
): DeviceCost {
  const ins = inspectModel(tflite);
  const ramBytes = deviceRamBytes(new Interpreter(loadModel(tflite)));
  const cost = inferenceCost(target.mcu, ins.layers, { kernels: 'optimized' });
  const message = messageCost(target.radio, { payloadBytes: EVENT_PAYLOAD_BYTES, direction: 'up', qos: 1 });
  const computeJPerDay = (inferencesPerDay * cost.energyUj) / 1e6;
  const radioJPerDay = (inferencesPerDay * eventsPerInference * message.energyUj) / 1e6;
  const misses: string[] = [];
  if (ins.flashBytes > target.maxFlashBytes) misses.push(`flash ${ins.flashBytes} > ${target.maxFlashBytes} B`);
  if (ramBytes > target.maxRamBytes) misses.push(`RAM ${ramBytes} > ${target.maxRamBytes} B`);
  if (cost.latencyMs > target.maxLatencyMs)
    misses.push(`latency ${cost.latencyMs.toFixed(2)} > ${target.maxLatencyMs} ms`);
  return {
    flashBytes: ins.flashBytes,
    ramBytes,
    macs: ins.macs,
    latencyMs: cost.latencyMs,
    inferenceUj: cost.energyUj,
    computeJPerDay,
    radioJPerDay,
    joulesPerDay: computeJPerDay + radioJPerDay,
    fits: misses.length === 0,
    misses,
  };
}
