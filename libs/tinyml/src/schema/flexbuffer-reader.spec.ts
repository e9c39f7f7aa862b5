/**
 * FlexBuffers decoding of operators' custom options: the real options of TFLM's signal ops, hand-assembled
 * buffers for each value kind, and seeded mutations that must end in FlexbufferError or a value.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../model/model-reader';
import { referenceModelsDir } from '../testing/reference-models';
import { FlexbufferError, readFlexbuffer, readFlexbufferMap } from './flexbuffer-reader';
import { ModelFormatError } from '../errors';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function signalOptions(): Uint8Array[] {
  const file = path.join(referenceModelsDir(), 'micro_speech_preprocessor', 'audio_preprocessor_int8.tflite');
  const model = loadModel(new Uint8Array(fs.readFileSync(file)));
  return model.operators.flatMap((op) => (op.customOptions ? [op.customOptions] : []));
}

describe('readFlexbuffer', () => {
  it('decodes the custom options of the micro_speech preprocessor', () => {
    const maps = signalOptions().map(readFlexbufferMap);
    expect(maps).toContainEqual({ shift: 12 });
    expect(maps).toContainEqual({ T: 7, fft_length: 512 });
    expect(maps).toContainEqual({ end_index: 241, start_index: 5 });
    expect(maps).toContainEqual({ input_correction_bits: 3, output_scale: 64 });
    expect(maps).toContainEqual({
      alternate_one_minus_smoothing: 15401,
      alternate_smoothing: 983,
      clamping: false,
      min_signal_remaining: 819,
      num_channels: 40,
      one_minus_smoothing: 15975,
      smoothing: 409,
      smoothing_bits: 10,
      spectral_subtraction_bits: 14,
    });
    // The ops without parameters carry an empty map.
    expect(maps.filter((m) => Object.keys(m).length === 0)).toHaveLength(2);
  });

  it('decodes scalars, strings, vectors and typed vectors', () => {
    // Root scalars: value, packed type, byte width.
    expect(readFlexbuffer(hex('2a 04 01'))).toBe(42); // INT, 8-bit
    expect(readFlexbuffer(hex('d6 04 01'))).toBe(-42);
    expect(readFlexbuffer(hex('ff 08 01'))).toBe(255); // UINT
    expect(readFlexbuffer(hex('01 68 01'))).toBe(true); // BOOL
    expect(readFlexbuffer(hex('0000c03f 0e 04'))).toBe(1.5); // FLOAT, 32-bit
    // STRING "hi": length 2, bytes, NUL; root is an offset back to the bytes.
    expect(readFlexbuffer(hex('02 68 69 00 03 14 01'))).toBe('hi');
    // VECTOR_INT [1, 2, 3] of 8-bit ints.
    expect(readFlexbuffer(hex('03 01 02 03 03 2c 01'))).toEqual([1, 2, 3]);
    // Untyped VECTOR [7, true]: elements then one packed type per element.
    expect(readFlexbuffer(hex('02 07 01 04 68 04 28 01'))).toEqual([7, true]);
  });

  it('rejects truncated and inconsistent buffers with FlexbufferError', () => {
    for (const bad of [hex(''), hex('01'), hex('2a 04 03'), hex('05 14 01'), hex('ff 2c 01'), hex('00 90 01')]) {
      expect(() => readFlexbuffer(bad)).toThrow(FlexbufferError);
    }
    expect(new FlexbufferError('x')).toBeInstanceOf(ModelFormatError);
    expect(() => readFlexbufferMap(hex('2a 04 01'))).toThrow(/not a map/);
  });

  it('survives 6,000 seeded mutations of real options with a value or FlexbufferError', () => {
    const originals = signalOptions();
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    let decoded = 0;
    for (let i = 0; i < 6000; i++) {
      const source = originals[i % originals.length];
      const bytes = rnd() < 0.2 ? source.slice(0, Math.floor(rnd() * source.length)) : source.slice();
      const flips = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < flips && bytes.length > 0; k++)
        bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      try {
        readFlexbuffer(bytes);
        decoded++;
      } catch (e) {
        if (!(e instanceof FlexbufferError)) throw e;
      }
    }
    // Both outcomes occur: the mutations reach decodable and broken buffers alike.
    expect(decoded).toBeGreaterThan(0);
    expect(decoded).toBeLessThan(6000);
  });
});
