import { canonicalJson, prettyCanonicalJson } from './canonical-json';

describe('canonical JSON', () => {
  it('sorts keys at every level and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: { g: true, f: 1.5 } })).toBe(
      '{"a":[{"c":null,"d":"x"}],"b":1,"e":{"f":1.5,"g":true}}',
    );
  });

  it('is independent of insertion order and drops undefined members', () => {
    expect(canonicalJson({ x: 1, y: undefined, z: 'é' })).toBe(canonicalJson({ z: 'é', x: 1 }));
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(/non-finite/);
  });

  it('pretty form parses back to the same canonical form', () => {
    const v = { b: [1, 2], a: { y: 'q', x: 0 } };
    expect(canonicalJson(JSON.parse(prettyCanonicalJson(v)))).toBe(canonicalJson(v));
  });
});
