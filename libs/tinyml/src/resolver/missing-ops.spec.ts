import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interpreter, UnsupportedOpError, loadModel } from '../index';
import type { Model } from '../model/model.types';
import { REFERENCE_MODEL_NAMES, loadReferenceModel, referenceModelsDir } from '../testing/reference-models';
import { OP_SET_BUILDS, OpResolver, describeMissingOp, missingOps, opsNeeded, resolverForBuild } from './op-resolver';
import { OpSetEntry } from './op-set';

const read = (file: string) => loadModel(new Uint8Array(fs.readFileSync(file)));

/** Every reference model and every held-out model this interpreter loads (a few use ops it has no kernel for). */
function allModels(): Array<[string, Model]> {
  const out: Array<[string, Model]> = REFERENCE_MODEL_NAMES.map((n) => [n, read(loadReferenceModel(n).modelFile)]);
  const heldout = path.join(referenceModelsDir(), 'heldout');
  for (const dir of fs.readdirSync(heldout).sort()) {
    const full = path.join(heldout, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full).filter((x) => x.endsWith('.tflite')))
      out.push([`${dir}/${f}`, read(path.join(full, f))]);
  }
  return out;
}

/** Whether the resolver refuses some node of the model (what allocate() checks before any kernel's prepare). */
function refuses(resolver: OpResolver, model: Model): boolean {
  return model.operators.some((node) => {
    try {
      resolver.find(model, node);
      return false;
    } catch (err) {
      if (err instanceof UnsupportedOpError) return true;
      throw err;
    }
  });
}

describe('missingOps', () => {
  it('names an absent op and an op registered for other types only', () => {
    const needed: OpSetEntry[] = [
      { op: 'SOFTMAX', types: ['int16', 'int8'] },
      { op: 'SVDF', types: ['int8'] },
      { op: 'RESHAPE', types: ['float32'] },
    ];
    const have: OpSetEntry[] = [{ op: 'SOFTMAX', types: ['int8'] }, { op: 'RESHAPE' }];
    const missing = missingOps(needed, have);
    expect(missing).toEqual([
      { op: 'SOFTMAX', types: ['int16'], has: ['int8'] },
      { op: 'SVDF', types: ['int8'], has: null },
    ]);
    expect(missing.map(describeMissingOp)).toEqual(['SOFTMAX for int16 (has int8)', 'SVDF for int8']);
  });

  it('widens an op registered twice, and an op without types in `needed` asks for the op only', () => {
    const have: OpSetEntry[] = [
      { op: 'ADD', types: ['int8'] },
      { op: 'ADD', types: ['int16'] },
    ];
    expect(missingOps([{ op: 'ADD', types: ['int16', 'int8'] }], have)).toEqual([]);
    expect(missingOps([{ op: 'ADD' }], have)).toEqual([]);
    expect(missingOps([{ op: 'ADD', types: ['float32'] }], [...have, { op: 'ADD' }])).toEqual([]);
    expect(missingOps([{ op: 'MUL' }], have).map(describeMissingOp)).toEqual(['MUL']);
  });

  it('says so when the op is registered only for types this platform cannot name (a newer device)', () => {
    expect(describeMissingOp(missingOps([{ op: 'ADD', types: ['int8'] }], [{ op: 'ADD', types: [] }])[0])).toBe(
      'ADD for int8 (has no type this platform knows)',
    );
  });

  // The admission check (missingOps over the device's op set) must agree with what the device's interpreter does.
  const models = allModels();

  it.each(Object.keys(OP_SET_BUILDS))('is non-empty exactly when resolverForBuild(%s) refuses the model', (build) => {
    const resolver = resolverForBuild(build);
    const disagreements = models
      .filter(([, model]) => refuses(resolver, model) !== missingOps(opsNeeded(model), OP_SET_BUILDS[build]).length > 0)
      .map(([name]) => name);
    expect(disagreements).toEqual([]);
    expect(models.length).toBeGreaterThan(140);
  });

  it('covers both outcomes for every build (the equivalence above is not vacuous)', () => {
    for (const build of ['atmega328p-dense', 'cortex-m-int8']) {
      const resolver = resolverForBuild(build);
      const refused = models.filter(([, m]) => refuses(resolver, m)).length;
      expect(refused).toBeGreaterThan(0);
      expect(refused).toBeLessThan(models.length);
    }
  });

  it.each(REFERENCE_MODEL_NAMES.map((n) => [n]))(
    '%s: the interpreter allocates under each build exactly when nothing is missing',
    (name) => {
      const model = read(loadReferenceModel(name).modelFile);
      for (const build of Object.keys(OP_SET_BUILDS)) {
        const missing = missingOps(opsNeeded(model), OP_SET_BUILDS[build]);
        let err: unknown = null;
        try {
          new Interpreter(model, { resolver: resolverForBuild(build) }).allocate();
        } catch (e) {
          err = e;
        }
        if (missing.length === 0) expect(err).toBeNull();
        else {
          expect(err).toBeInstanceOf(UnsupportedOpError);
          expect(missing.map((m) => m.op)).toContain((err as UnsupportedOpError).op);
        }
      }
    },
  );
});
