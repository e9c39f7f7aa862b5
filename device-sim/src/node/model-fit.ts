import { McuProfile, modelBudget } from '@tinyfleet/energy';
import {
  ArenaTooSmallError,
  describeMissingOp,
  Interpreter,
  loadModel,
  missingOps,
  OP_SET_BUILDS,
  OpResolver,
  opsNeeded,
  resolverForBuild,
  UnsupportedOpError,
} from '@tinyfleet/tinyml';
import type { ModelArtifact } from '../inference/model-artifact';
import { firmwareBuildFor } from './firmware-build';

export type ModelFit =
  { ok: true; flashBytesUsed: number; interpreterBytes: number; ramBytesUsed: number } | { ok: false; reason: string };

/**
 * Can `artifact` go into a slot of `mcu` while the other slot holds `otherSlotBytes`? Flash: firmware +
 * both slots (A/B: the old model stays until the new one is confirmed). Ops: the interpreter runs with
 * the op resolver of the part's firmware build (firmware-build.ts); UnsupportedOpError = refusal, naming
 * every op and type the build lacks. RAM: the interpreter really plans its device memory (activations,
 * scratch, persistent) with the RAM left after the firmware as its limit (ArenaTooSmallError = refusal).
 */
export function checkModelFit(mcu: McuProfile, artifact: ModelArtifact, otherSlotBytes = 0): ModelFit {
  const budget = modelBudget(mcu, otherSlotBytes);
  const fw = { flashBytes: budget.firmwareFlashBytes, ramBytes: budget.firmwareRamBytes };
  const reasons: string[] = [];
  const flashBytesUsed = fw.flashBytes + otherSlotBytes + artifact.bytes.byteLength;
  if (flashBytesUsed > mcu.flashBytes) {
    reasons.push(
      `flash: model ${artifact.bytes.byteLength} B + other slot ${otherSlotBytes} B + firmware ${fw.flashBytes} B = ${flashBytesUsed} B > ${mcu.flashBytes} B on ${mcu.id}`,
    );
  }
  const ramForArena = budget.ramBytesForArena;
  let interpreterBytes = 0;
  const model = loadModel(artifact.bytes);
  const build = firmwareBuildFor(mcu);
  const plan = (resolver: OpResolver) => {
    const interpreter = new Interpreter(model, { deviceBytesLimit: ramForArena, resolver });
    interpreter.allocate();
    return interpreter.memory.totalBytes;
  };
  try {
    try {
      interpreterBytes = plan(resolverForBuild(build));
    } catch (err) {
      if (!(err instanceof UnsupportedOpError)) throw err;
      const missing = missingOps(opsNeeded(model), OP_SET_BUILDS[build]).map(describeMissingOp);
      reasons.push(`ops: firmware build ${build} lacks ${missing.join(', ')}`);
      // Plan with every kernel too, so the refusal also says whether the memory would have fitted.
      plan(OpResolver.all());
    }
  } catch (err) {
    if (!(err instanceof ArenaTooSmallError)) throw err;
    reasons.push(
      `RAM: interpreter memory ${err.neededBytes} B > ${err.availableBytes} B free (${mcu.sramBytes} B SRAM − ${fw.ramBytes} B firmware) on ${mcu.id}`,
    );
  }
  if (reasons.length)
    return { ok: false, reason: `${artifact.modelId}@${artifact.version} refused: ${reasons.join('; ')}` };
  return { ok: true, flashBytesUsed, interpreterBytes, ramBytesUsed: fw.ramBytes + interpreterBytes };
}

const fitCache = new Map<string, ModelFit>();

/** checkModelFit, cached per (mcu, model, other slot size): many nodes share a part and a model. */
export function cachedModelFit(mcu: McuProfile, artifact: ModelArtifact, otherSlotBytes = 0): ModelFit {
  const key = `${mcu.id}:${firmwareBuildFor(mcu)}:${mcu.flashBytes}:${mcu.sramBytes}:${mcu.coreClass}:${Buffer.from(artifact.sha256).toString('hex')}:${otherSlotBytes}`;
  let fit = fitCache.get(key);
  if (!fit) fitCache.set(key, (fit = checkModelFit(mcu, artifact, otherSlotBytes)));
  return fit;
}
