import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inputOfBuild } from './model-build-data';

/** `--input-of DIR`: an update's input read back from the deployed build's manifest. */
describe('inputOfBuild', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-input-of-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, manifest: unknown) => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  };

  it('takes a time-series model’s window, channels and spectral bins, and keeps them', () => {
    const plain = write('plain', { preprocessing: { kind: 'window', windowLength: 16, channels: ['a', 'b'] } });
    expect(inputOfBuild(plain)).toEqual({ keepInput: true, window: 16, channels: 'a,b', features: 'none' });
    const spectral = write('spectral', {
      preprocessing: { kind: 'window', windowLength: 64, channels: ['x'], spectralBins: 8 },
    });
    expect(inputOfBuild(path.join(spectral, 'manifest.json'))).toEqual({
      keepInput: true,
      window: 64,
      channels: 'x',
      features: 'spectral',
      spectralBins: 8,
    });
  });

  it('takes an image model’s size and colour from its input shape', () => {
    const dir = write('image', { preprocessing: { kind: 'image' }, inputs: [{ shape: [1, 24, 24, 3] }] });
    expect(inputOfBuild(dir)).toEqual({ keepInput: true, imageSize: 24, color: 'rgb' });
  });

  it('refuses what is not a build of the user’s data, naming the file', () => {
    expect(() => inputOfBuild(path.join(tmp, 'missing'))).toThrow(/no manifest at .*missing/);
    const recipe = write('recipe', { preprocessing: { kind: 'mfcc' } });
    expect(() => inputOfBuild(recipe)).toThrow(/not a model built from your data \(preprocessing kind mfcc\)/);
    fs.writeFileSync(path.join(tmp, 'bad.json'), '{');
    expect(() => inputOfBuild(path.join(tmp, 'bad.json'))).toThrow(/bad\.json is not JSON/);
  });
});
