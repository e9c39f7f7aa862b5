import type { McuProfile } from '@tinyfleet/energy';
import type { ModelSlotV1 } from '@tinyfleet/wire';
import type { SharedModel } from '../inference/shared-model';
import { cachedModelFit, ModelFit } from './model-fit';

/**
 * The two model slots (A/B) in the node's simulated flash. A model is written into the inactive slot
 * only if firmware + both slots fit in flash and its arena fits in RAM; activation switches slots,
 * so the previous model stays available for rollback.
 */
export class ModelSlots {
  private readonly slots: [SharedModel | null, SharedModel | null] = [null, null];
  private active: 0 | 1 = 0;
  /** Last refusal, kept for status/diagnostics. */
  lastRefusal: string | null = null;

  constructor(private readonly mcu: McuProfile) {}

  get activeSlot(): 0 | 1 {
    return this.active;
  }

  get activeModel(): SharedModel | null {
    return this.slots[this.active];
  }

  /** Write `model` into the inactive slot (or slot A on a blank node) and activate it. */
  install(model: SharedModel): ModelFit {
    const target: 0 | 1 = this.slots[this.active] === null ? this.active : this.active === 0 ? 1 : 0;
    const other = this.slots[target === 0 ? 1 : 0];
    const fit = cachedModelFit(this.mcu, model.artifact, other ? other.artifact.bytes.byteLength : 0);
    if (!fit.ok) {
      this.lastRefusal = fit.reason;
      return fit;
    }
    this.slots[target] = model;
    this.active = target;
    this.lastRefusal = null;
    return fit;
  }

  /** Back to the other slot's model, if it has one. */
  rollback(): boolean {
    const other: 0 | 1 = this.active === 0 ? 1 : 0;
    if (!this.slots[other]) return false;
    this.active = other;
    return true;
  }

  toWire(): [ModelSlotV1 | null, ModelSlotV1 | null] {
    return [slotToWire(this.slots[0]), slotToWire(this.slots[1])];
  }
}

function slotToWire(m: SharedModel | null): ModelSlotV1 | null {
  if (!m) return null;
  const a = m.artifact;
  return { modelId: a.modelId, modelVersion: a.version, sha256: a.sha256, sizeBytes: a.bytes.byteLength };
}
