import { compareSemver, deviceRamBytes, type ArtifactManifest } from '@tinyfleet/artifact';
import { MCU_PROFILES, McuProfile, modelBudget } from '@tinyfleet/energy';
import {
  decodeOpSetBytes,
  describeMissingOp,
  missingOps,
  OpSetFormatError,
  SUPPORTED_OPS,
  type OpSetEntry,
} from '@tinyfleet/tinyml';

/** What the platform knows about a device when it plans a rollout. */
export interface DeviceFacts {
  id: string;
  mcuProfile: string;
  sensorStream: string;
  interpreterVersion: string;
  /** Size of the model in the slot that stays (the active one) — A/B needs room for both. */
  activeModelBytes: number;
  /** The manifest of the model the device runs now, when the registry has it. */
  activeManifest: ArtifactManifest | null;
  /** The op set of its latest up/capabilities (wire bytes); null: it never reported one. */
  opSet: Uint8Array | null;
}

export type Compatibility = { ok: true } | { ok: false; reason: string };

/**
 * Model-aware admission, before anything is sent: flash and arena fit the part (A/B: next to the
 * model it keeps), the device's interpreter is new enough, its firmware registers every op the model
 * needs for the types it needs (`neededOps`: opsNeeded of the model's .tflite) — or, for a device that
 * never reported its op set, every op is one the platform's interpreter implements — and the
 * input/output signature matches what the device's sensor pipeline produces. An incompatible device
 * is skipped with this reason instead of failing later.
 */
export function checkCompatibility(
  device: DeviceFacts,
  manifest: ArtifactManifest,
  neededOps: readonly OpSetEntry[],
): Compatibility {
  const mcu: McuProfile | undefined = (MCU_PROFILES as Record<string, McuProfile>)[device.mcuProfile];
  if (!mcu) return { ok: false, reason: `unknown MCU profile ${device.mcuProfile}: flash and RAM cannot be checked` };
  const budget = modelBudget(mcu, device.activeModelBytes);
  const problems: string[] = [];
  if (manifest.model.bytes > budget.flashBytesForModel) {
    problems.push(
      `flash: model ${manifest.model.bytes} B > ${budget.flashBytesForModel} B free (${mcu.flashBytes} B − firmware ${budget.firmwareFlashBytes} B − active slot ${device.activeModelBytes} B) on ${mcu.id}`,
    );
  }
  const ramBytes = deviceRamBytes(manifest);
  if (ramBytes > budget.ramBytesForArena) {
    const what = manifest.memory ? 'interpreter memory' : 'arena (activations)';
    problems.push(
      `RAM: ${what} ${ramBytes} B > ${budget.ramBytesForArena} B free (${mcu.sramBytes} B − firmware ${budget.firmwareRamBytes} B) on ${mcu.id}`,
    );
  }
  if (compareSemver(device.interpreterVersion, manifest.minInterpreterVersion) < 0) {
    problems.push(`interpreter ${device.interpreterVersion} < required ${manifest.minInterpreterVersion}`);
  }
  const ops = opsProblem(device, manifest, neededOps);
  if (ops) problems.push(ops);
  const signature = signatureMismatch(device, manifest);
  if (signature) problems.push(signature);
  return problems.length === 0 ? { ok: true } : { ok: false, reason: problems.join('; ') };
}

function opsProblem(device: DeviceFacts, manifest: ArtifactManifest, neededOps: readonly OpSetEntry[]): string | null {
  if (device.opSet === null) {
    const unsupported = Object.keys(manifest.ops).filter((op) => !(SUPPORTED_OPS as readonly string[]).includes(op));
    return unsupported.length > 0 ? `ops not supported by the interpreter: ${unsupported.join(', ')}` : null;
  }
  let have: OpSetEntry[];
  try {
    // Tolerant: op codes of a newer firmware cannot be ones a model built by this platform needs.
    have = decodeOpSetBytes(device.opSet, { tolerant: true }).entries;
  } catch (err) {
    if (!(err instanceof OpSetFormatError)) throw err;
    return `the device's reported op set cannot be read (${err.message})`;
  }
  const missing = missingOps(neededOps, have);
  return missing.length > 0 ? `ops the device's firmware lacks: ${missing.map(describeMissingOp).join(', ')}` : null;
}

function signatureMismatch(device: DeviceFacts, manifest: ArtifactManifest): string | null {
  const current = device.activeManifest;
  if (!current) {
    // Without the current model's manifest, the recipe is what we can hold it to: recipes are named
    // after the stream they read (`soil`, `gas-ethylene-v2`; a model from the user's data: the stream).
    const s = device.sensorStream;
    return manifest.recipe === s || manifest.recipe.startsWith(`${s}-`)
      ? null
      : `model (recipe ${manifest.recipe}) is not for the ${s} stream this device reads`;
  }
  const shape = (t: { dtype: string; shape: number[] }[]) => t.map((x) => `${x.dtype}[${x.shape.join('x')}]`).join(',');
  if (shape(current.inputs) !== shape(manifest.inputs))
    return `input ${shape(manifest.inputs)} ≠ the device's ${shape(current.inputs)}`;
  if (shape(current.outputs) !== shape(manifest.outputs))
    return `output ${shape(manifest.outputs)} ≠ the device's ${shape(current.outputs)}`;
  const pre = (m: ArtifactManifest) =>
    `${m.preprocessing.kind}:${m.preprocessing.channels.join('+')}:${m.preprocessing.windowLength}`;
  if (pre(current) !== pre(manifest)) return `preprocessing ${pre(manifest)} ≠ the device's ${pre(current)}`;
  return null;
}
