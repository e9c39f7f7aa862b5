import { FIRMWARE_FOOTPRINT, MCU_PROFILES, McuProfile } from '@tinyfleet/energy';
import { INTERPRETER_VERSION, OP_SET_BUILDS } from '@tinyfleet/tinyml';
import { encodeDeviceCapabilitiesV1 } from '@tinyfleet/wire';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPersonDetectArtifact } from '../inference/model-artifact';
import { SharedModel } from '../inference/shared-model';
import { firmwareBuildFor, MCU_FIRMWARE_BUILDS, opSetBytesFor } from './firmware-build';
import { checkModelFit } from './model-fit';
import { ModelSlots } from './model-slots';

const DATA_DIR = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '../../../..', 'shared');

describe('model fit on the node', () => {
  const person = loadPersonDetectArtifact(DATA_DIR);

  it('refuses person_detect on an ATmega328P, for flash and for RAM, with numbers', () => {
    const fit = checkModelFit(MCU_PROFILES.atmega328p, person);
    expect(fit.ok).toBe(false);
    if (fit.ok) return;
    // 300,568 B model + 12 KiB firmware in 32 KiB flash; 55,296 B arena in 2 KiB − 768 B RAM.
    expect(person.bytes.byteLength).toBe(300_568);
    expect(fit.reason).toContain(
      'flash: model 300568 B + other slot 0 B + firmware 12288 B = 312856 B > 32768 B on atmega328p',
    );
    expect(fit.reason).toContain(
      // The interpreter's device memory (activations 55,296 B + scratch + persistent data), not the arena alone.
      'RAM: interpreter memory 82300 B > 1280 B free (2048 B SRAM − 768 B firmware) on atmega328p',
    );
  });

  it('refuses it on an ATmega328P for the ops its firmware build lacks too', () => {
    const fit = checkModelFit(MCU_PROFILES.atmega328p, person);
    if (fit.ok) throw new Error('expected a refusal');
    expect(fit.reason).toContain(
      'ops: firmware build atmega328p-dense lacks AVERAGE_POOL_2D for int8, CONV_2D for int8, DEPTHWISE_CONV_2D for int8',
    );
  });

  it('refuses a float model on a Cortex-M part whose build is int8-only, and runs it on the full build', () => {
    const floatModel = {
      ...person,
      modelId: 'hello-float',
      bytes: new Uint8Array(
        fs.readFileSync(path.join(DATA_DIR, 'reference-models/hello_world_float/hello_world_float.tflite')),
      ),
    };
    const fit = checkModelFit(MCU_PROFILES.nrf52840, floatModel);
    expect(fit).toMatchObject({ ok: false });
    if (!fit.ok)
      expect(fit.reason).toContain('ops: firmware build cortex-m-int8 lacks FULLY_CONNECTED for float32 (has int8)');
    expect(checkModelFit(MCU_PROFILES.stm32h7a3, floatModel).ok).toBe(true);
  });

  it('gives every part a build, ATmega328P the small dense one', () => {
    expect(Object.keys(MCU_FIRMWARE_BUILDS).sort()).toEqual(Object.keys(MCU_PROFILES).sort());
    expect(firmwareBuildFor(MCU_PROFILES.atmega328p)).toBe('atmega328p-dense');
    for (const build of Object.values(MCU_FIRMWARE_BUILDS)) expect(OP_SET_BUILDS[build]).toBeDefined();
    // Each part's op set goes on the wire in up/capabilities, whose op set is at most 64 bytes.
    for (const mcu of Object.values(MCU_PROFILES)) {
      const opSet = opSetBytesFor(mcu);
      expect(opSet.length).toBeLessThanOrEqual(64);
      encodeDeviceCapabilitiesV1({ timestampMs: 0, interpreterVersion: INTERPRETER_VERSION, opSet });
    }
  });

  it('accepts it on an nRF52840 (1 MB / 256 KB) and reports what it uses', () => {
    const fit = checkModelFit(MCU_PROFILES.nrf52840, person);
    expect(fit).toEqual({
      ok: true,
      flashBytesUsed: 128 * 1024 + 300_568,
      interpreterBytes: 82_300,
      ramBytesUsed: 32 * 1024 + 82_300,
    });
  });

  it('A/B slots: a second copy is refused when both slots would not fit in flash', () => {
    // A part with 600 KiB flash: firmware 128 KiB + one 293.5 KiB model fits, two do not.
    const small: McuProfile = { ...MCU_PROFILES.nrf52840, flashBytes: 600 * 1024 };
    const slots = new ModelSlots(small);
    const model = new SharedModel(person);
    expect(slots.install(model).ok).toBe(true);
    expect(slots.activeSlot).toBe(0);
    const second = slots.install(model);
    expect(second.ok).toBe(false);
    expect(slots.lastRefusal).toContain(
      `other slot 300568 B + firmware ${FIRMWARE_FOOTPRINT['cortex-m4'].flashBytes} B`,
    );
    expect(slots.activeSlot).toBe(0); // still running the first one
    // On the real nRF52840 both fit, and installing switches to slot B with A kept for rollback.
    const big = new ModelSlots(MCU_PROFILES.nrf52840);
    big.install(model);
    expect(big.install(model).ok).toBe(true);
    expect(big.activeSlot).toBe(1);
    expect(big.toWire().every((s) => s?.sizeBytes === 300_568)).toBe(true);
    expect(big.rollback()).toBe(true);
    expect(big.activeSlot).toBe(0);
  });
});
