import { MCU_PROFILES, modelBudget } from '@tinyfleet/energy';
import type { DeviceManifest } from '@tinyfleet/artifact';
import * as path from 'node:path';
import { loadPersonDetectArtifact } from '../inference/model-artifact';
import { SharedModel } from '../inference/shared-model';
import { PowerLossError, SlotRejectedError } from '../ota/ota-agent';
import { ModelSlots } from './model-slots';

const DATA_DIR = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '../../../..', 'shared');

describe('ModelSlots as the OTA agent sees them', () => {
  const factory = new SharedModel(loadPersonDetectArtifact(DATA_DIR));
  const factoryHex = Buffer.from(factory.artifact.sha256).toString('hex');
  // What an OTA write hands over; the loader decides what runs (here: the same network again).
  const manifest = { modelId: 'person-detect', modelVersion: '2.0.0' } as DeviceManifest;
  const received = new SharedModel({ ...factory.artifact, version: '2.0.0', deviceManifest: manifest });

  it('writes the inactive slot, keeps the active one until activation, and can go back', () => {
    const slots = new ModelSlots(MCU_PROFILES['esp32-s3'], () => received);
    expect(slots.install(factory).ok).toBe(true);
    expect(slots.activeSha256Hex()).toBe(factoryHex);
    expect(slots.inactive()).toBeNull();
    // Flash left for a model next to the firmware and the running model (A/B: both stay on flash).
    const budget = modelBudget(MCU_PROFILES['esp32-s3'], factory.artifact.bytes.length);
    expect(slots.flashBytesForModel()).toBe(
      MCU_PROFILES['esp32-s3'].flashBytes - budget.firmwareFlashBytes - factory.artifact.bytes.length,
    );

    slots.writeInactive(received.artifact.bytes, manifest);
    expect(slots.activeModel).toBe(factory);
    expect(slots.inactiveModel).toBe(received);
    slots.activateInactive();
    expect(slots.activeModel).toBe(received);
    expect(slots.otaInstalls).toBe(1);
    // The factory image is still in the other slot, without a manifest (never delivered over the air).
    expect(slots.inactive()).toMatchObject({ sha256Hex: factoryHex, manifest: null });
    expect(slots.rollback()).toBe(true);
    expect(slots.activeModel).toBe(factory);
  });

  it('a power cut mid-write erases the inactive slot and leaves the active one running', () => {
    const slots = new ModelSlots(MCU_PROFILES['esp32-s3'], () => received);
    slots.install(factory);
    slots.writeInactive(received.artifact.bytes, manifest);
    slots.powerLossOnNextWrite = true;
    expect(() => slots.writeInactive(received.artifact.bytes, manifest)).toThrow(PowerLossError);
    expect(slots.inactive()).toBeNull();
    expect(slots.activeModel).toBe(factory);
    expect(slots.powerLosses).toBe(1);
    expect(() => slots.activateInactive()).toThrow(/inactive slot is empty/);
  });

  it('refuses a model the node cannot run, and takes nothing over the air without a loader', () => {
    const picky = new ModelSlots(MCU_PROFILES['esp32-s3'], () => {
      throw new Error('input int8[9216] does not match preprocessing (128 int8 values)');
    });
    picky.install(factory);
    expect(() => picky.writeInactive(received.artifact.bytes, manifest)).toThrow(SlotRejectedError);
    expect(picky.activeModel).toBe(factory);
    expect(() => new ModelSlots(MCU_PROFILES['esp32-s3']).writeInactive(received.artifact.bytes, manifest)).toThrow(
      /no models over the air/,
    );
  });
});
