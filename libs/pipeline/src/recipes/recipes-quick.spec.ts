/**
 * --quick builds of every recipe (small subsets, 1-2 epochs): every stage runs on the real data, the
 * exported model matches the integer simulation in tinyml, the Huffman form decodes to the same
 * bytes and the signed artifact verifies.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeOtaContainer, MANIFEST_FILE, MODEL_FILE, OTA_FILE } from '@tinyfleet/artifact';
import {
  createKeyPair,
  deviceManifestBytes,
  loadTrustedKeys,
  verifyArtifactDir,
} from '@tinyfleet/artifact/verify-node';
import { buildRecipe } from '../build-runner';
import { findRecipe, RECIPES, UnknownRecipeError } from './recipe-registry';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-recipes-'));
const key = createKeyPair(path.join(tmp, 'key'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('quick builds of every recipe', () => {
  it.each(RECIPES.map((r) => r.id))('%s', async (id) => {
    const recipe = findRecipe(id);
    const out = path.join(tmp, id);
    const result = await buildRecipe({ recipe, outDir: out, quick: true, seed: 3, key });
    const m = result.manifest;
    expect(verifyArtifactDir(out, loadTrustedKeys([path.join(tmp, 'key')]))).toMatchObject({ ok: true });
    const model = new Uint8Array(fs.readFileSync(path.join(out, MODEL_FILE)));
    expect(decodeOtaContainer(new Uint8Array(fs.readFileSync(path.join(out, OTA_FILE))))).toEqual(model);
    expect(result.exported.parity.maxIntermediateDiff).toBe(0);
    expect(result.exported.parity.maxOutputDiff).toBeLessThanOrEqual(1);
    expect(m.sizes.huffmanBytes).toBeLessThan(m.sizes.int8TfliteBytes);
    expect(m.sizes.int8TfliteBytes).toBeLessThan(m.sizes.float32TfliteBytes);
    expect(m.inputs[0].dtype).toBe('int8');
    expect(m.outputs[0]).toMatchObject({ dtype: 'int8', scale: 1 / 256, zeroPoint: -128 });
    // A seeded self-test (4 bytes on air); its expected output is every output byte.
    expect(m.selfTest.seed).toBeGreaterThan(0);
    expect(Buffer.from(m.selfTest.expectedOutputBase64, 'base64').length).toBe(
      m.outputs[0].shape.reduce((a, b) => a * b, 1),
    );
    expect(m.preprocessing.quantization).toEqual({
      scale: m.inputs[0].scale,
      zeroPoint: m.inputs[0].zeroPoint,
      dtype: 'int8',
    });
    expect(m.datasets[0].files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.reports.map((r) => r.stage)).toEqual(expect.arrayContaining(['quantize (PTQ)', 'export (tinyml)']));
    // Better than chance on the held-out split, even in a quick build; the quick doorbell student
    // sees only 86 images for one epoch, so it is only required to produce a valid model.
    if (id !== 'doorbell') expect(result.finalAccuracy).toBeGreaterThan(1 / recipe.spec.classes + 0.05);
    else expect(result.teacherAccuracy).toBeGreaterThan(0.6);
    const json = fs.readFileSync(path.join(out, MANIFEST_FILE));
    expect(JSON.parse(json.toString('utf8')).name).toBe(recipe.artifactName);
    // Issue #12 point 7: the device manifest is at most 15 % of a first install's transfer (it goes
    // ahead of the smaller of the .tflite and its Huffman form); gas-ethylene's 128 channels were 25 %.
    const manifestBytes = deviceManifestBytes(m, json).length;
    const payloadBytes = Math.min(m.model.bytes, m.ota.bytes);
    expect(manifestBytes / (manifestBytes + payloadBytes)).toBeLessThanOrEqual(0.15);
  });
});

describe('recipe registry', () => {
  it('maps gas-ethylene --version to the two drift versions of one artifact', () => {
    expect(findRecipe('gas-ethylene', '2')).toMatchObject({ artifactName: 'gas-ethylene', version: '2.0.0' });
    expect(findRecipe('gas-ethylene')).toMatchObject({ version: '1.0.0' });
  });

  it('an unknown recipe is one clear error listing the known ones', () => {
    expect(() => findRecipe('toaster')).toThrow(UnknownRecipeError);
    expect(() => findRecipe('toaster')).toThrow(/unknown recipe "toaster"; known: soil, gas-fruit/);
  });
});

describe('determinism', () => {
  it('the same seed gives the same model bytes; another seed does not', async () => {
    const recipe = findRecipe('soil');
    const a = await buildRecipe({ recipe, outDir: path.join(tmp, 'a'), quick: true, seed: 5, key });
    const b = await buildRecipe({ recipe, outDir: path.join(tmp, 'b'), quick: true, seed: 5, key });
    const c = await buildRecipe({ recipe, outDir: path.join(tmp, 'c'), quick: true, seed: 6, key });
    expect(a.manifest.model.sha256).toBe(b.manifest.model.sha256);
    expect(c.manifest.model.sha256).not.toBe(a.manifest.model.sha256);
  });
});
