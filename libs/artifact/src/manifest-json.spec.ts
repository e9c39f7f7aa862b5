import { manifestJson } from './manifest-json';

describe('manifest.json layout', () => {
  it('sorts keys at every level, indents by 2 and ends with a newline', () => {
    expect(manifestJson({ b: 1, a: [{ d: 'x', c: null }] })).toBe(
      '{\n  "a": [\n    {\n      "c": null,\n      "d": "x"\n    }\n  ],\n  "b": 1\n}\n',
    );
  });

  it('is independent of insertion order and drops undefined members', () => {
    expect(manifestJson({ x: 1, y: undefined, z: 'é' })).toBe(manifestJson({ z: 'é', x: 1 }));
  });

  it('refuses non-finite numbers (JSON has no form for them)', () => {
    expect(() => manifestJson({ a: [NaN] })).toThrow(/non-finite/);
  });
});
