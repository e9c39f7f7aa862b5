import type { DeviceManifest } from '@tinyfleet/artifact';
import { McuProfile, modelBudget } from '@tinyfleet/energy';
import type { ModelSlotV1 } from '@tinyfleet/wire';
import type { SharedModel } from '../inference/shared-model';
import { OtaSlots, PowerLossError, SlotRejectedError } from '../ota/ota-agent';
import { cachedModelFit, ModelFit } from './model-fit';

/** Turns verified bytes + manifest into a runnable model, checked against the node's sensor input. */
export type LoadReceivedModel = (bytes: Uint8Array, manifest: DeviceManifest) => SharedModel;

/**
 * The two model slots (A/B) in the node's simulated flash. A model goes into the inactive slot only
 * if firmware + both slots fit in flash and its arena fits in RAM; activation switches slots, so the
 * previous model stays available for rollback. Two writers: `install` (a model built locally, the
 * factory image) activates at once; the OTA agent writes the inactive slot, self-tests, then
 * activates (`OtaSlots`).
 */
export class ModelSlots implements OtaSlots {
  private readonly slots: [SharedModel | null, SharedModel | null] = [null, null];
  private active: 0 | 1 = 0;
  /** Last refusal, kept for status/diagnostics. */
  lastRefusal: string | null = null;
  /** Test/what-if switch: the next OTA write loses power half-way. */
  powerLossOnNextWrite = false;
  /** Power losses survived (each booted the old slot). */
  powerLosses = 0;
  /** Models activated over the air. */
  otaInstalls = 0;

  constructor(
    private readonly mcu: McuProfile,
    private readonly loadReceived?: LoadReceivedModel,
    /** After an OTA switch: the node reports its slots, which the platform matches event model tags against. */
    private readonly activated?: () => void,
  ) {}

  get activeSlot(): 0 | 1 {
    return this.active;
  }

  get activeModel(): SharedModel | null {
    return this.slots[this.active];
  }

  get inactiveModel(): SharedModel | null {
    return this.slots[other(this.active)];
  }

  /** Write `model` into the inactive slot (or slot A on a blank node) and activate it. */
  install(model: SharedModel): ModelFit {
    const target: 0 | 1 = this.slots[this.active] === null ? this.active : other(this.active);
    const fit = cachedModelFit(this.mcu, model.artifact, this.slots[other(target)]?.artifact.bytes.byteLength ?? 0);
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
    if (!this.slots[other(this.active)]) return false;
    this.active = other(this.active);
    return true;
  }

  toWire(): [ModelSlotV1 | null, ModelSlotV1 | null] {
    return [slotToWire(this.slots[0]), slotToWire(this.slots[1])];
  }

  // ---- OtaSlots: what the device's OTA agent sees of the flash -----------------------------------

  activeSha256Hex(): string | null {
    return shaHex(this.slots[this.active]);
  }

  inactive(): { sha256Hex: string; manifest: DeviceManifest | null; bytes: Uint8Array } | null {
    const m = this.slots[other(this.active)];
    return m ? { sha256Hex: shaHex(m)!, manifest: m.artifact.deviceManifest, bytes: m.artifact.bytes } : null;
  }

  activeBytes(): Uint8Array | null {
    return this.slots[this.active]?.artifact.bytes ?? null;
  }

  flashBytesForModel(): number {
    return modelBudget(this.mcu, this.slots[this.active]?.artifact.bytes.byteLength ?? 0).flashBytesForModel;
  }

  ramBytesForArena(): number {
    return modelBudget(this.mcu).ramBytesForArena;
  }

  /**
   * Erase, then write. A power cut in between leaves the slot empty (its old content is gone, the new
   * one incomplete) and the node boots the slot it was running: the active slot is never touched.
   */
  writeInactive(bytes: Uint8Array, manifest: DeviceManifest): void {
    if (!this.loadReceived) throw new SlotRejectedError('this node takes no models over the air');
    const target = other(this.active);
    this.slots[target] = null;
    if (this.powerLossOnNextWrite) {
      this.powerLossOnNextWrite = false;
      this.powerLosses++;
      throw new PowerLossError(
        `power lost writing slot ${target === 0 ? 'A' : 'B'}; booted slot ${this.active === 0 ? 'A' : 'B'}`,
      );
    }
    let model: SharedModel;
    try {
      model = this.loadReceived(bytes, manifest);
    } catch (err) {
      throw new SlotRejectedError((err as Error).message);
    }
    this.slots[target] = model;
  }

  activateInactive(): void {
    if (!this.slots[other(this.active)]) throw new Error('activateInactive: the inactive slot is empty');
    this.active = other(this.active);
    this.lastRefusal = null;
    this.otaInstalls++;
    this.activated?.();
  }
}

function other(slot: 0 | 1): 0 | 1 {
  return slot === 0 ? 1 : 0;
}

function shaHex(m: SharedModel | null): string | null {
  return m ? Buffer.from(m.artifact.sha256).toString('hex') : null;
}

function slotToWire(m: SharedModel | null): ModelSlotV1 | null {
  if (!m) return null;
  const a = m.artifact;
  return { modelId: a.modelId, modelVersion: a.version, sha256: a.sha256, sizeBytes: a.bytes.byteLength };
}
