import { compareSemver, deviceRamBytes, type ArtifactManifest } from '@tinyfleet/artifact';
import { MCU_PROFILES, McuProfile, modelBudget } from '@tinyfleet/energy';
import { SUPPORTED_OPS } from '@tinyfleet/tinyml';

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
}

export type Compatibility = { ok: true } | { ok: false; reason: string };

/**
 * Model-aware admission, before anything is sent: flash and arena fit the part (A/B: next to the
 * model it keeps), the device's interpreter is new enough and every op is one we implement, and the
 * input/output signature matches what the device's sensor pipeline produces. An incompatible device
 * is skipped with this reason instead of failing later.
 */
export function checkCompatibility(device: DeviceFacts, manifest: ArtifactManifest): Compatibility {
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
  const unsupported = Object.keys(manifest.ops).filter((op) => !(SUPPORTED_OPS as readonly string[]).includes(op));
  if (unsupported.length > 0) problems.push(`ops not supported by the interpreter: ${unsupported.join(', ')}`);
  const signature = signatureMismatch(device, manifest);
  if (signature) problems.push(signature);
  return problems.length === 0 ? { ok: true } : { ok: false, reason: problems.join('; ') };
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
