import { loadReferenceModel, referenceModelsDir } from './reference-models';

describe('reference-model data locator', () => {
  const saved = process.env.FLEET_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.FLEET_DATA_DIR;
    else process.env.FLEET_DATA_DIR = saved;
  });

  it('finds the shared reference models', () => {
    expect(referenceModelsDir()).toMatch(/reference-models$/);
    expect(loadReferenceModel('hello_world_int8').cases.length).toBe(4);
  });

  it('fails with instructions when the data folder is missing', () => {
    process.env.FLEET_DATA_DIR = '/nonexistent/fleet-data';
    expect(() => referenceModelsDir()).toThrow(/Set FLEET_DATA_DIR to a folder that contains reference-models\//);
  });
});
