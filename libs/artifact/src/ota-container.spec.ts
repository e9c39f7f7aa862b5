import { decodeOtaContainer, encodeOtaContainer, OtaContainerError } from './ota-container';

function fakeModel(): { bytes: Uint8Array; ranges: { offset: number; length: number }[] } {
  let s = 3;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const bytes = new Uint8Array(6000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
  // A sparse weight buffer (90 % zeros, small values) and a dense one.
  for (let i = 1000; i < 4000; i++) bytes[i] = rnd() < 0.9 ? 0 : Math.round((rnd() - 0.5) * 30) & 0xff;
  for (let i = 4500; i < 5500; i++) bytes[i] = Math.round((rnd() - 0.5) * 60) & 0xff;
  return {
    bytes,
    ranges: [
      { offset: 4500, length: 1000 },
      { offset: 1000, length: 3000 },
    ],
  };
}

describe('TFHC over-the-air container', () => {
  it('decodes to the identical bytes and uses the sparse index for the pruned buffer', () => {
    const { bytes, ranges } = fakeModel();
    const enc = encodeOtaContainer(bytes, ranges);
    expect(decodeOtaContainer(enc.bytes)).toEqual(bytes);
    const sparse = enc.records.find((r) => r.elements === 3000)!;
    expect(sparse.mode).toBe('sparse');
    expect(sparse.bytes).toBeLessThan(3000 * 0.25);
    expect(enc.bytes.length).toBeLessThan(bytes.length);
  });

  it('round-trips an all-zero buffer and gaps longer than the index field (filler zeros)', () => {
    const bytes = new Uint8Array(3000);
    bytes[2999] = 5;
    bytes[10] = 0xff;
    const enc = encodeOtaContainer(bytes, [
      { offset: 0, length: 1500 },
      { offset: 1500, length: 1500 },
    ]);
    expect(decodeOtaContainer(enc.bytes)).toEqual(bytes);
  });

  it('rejects overlapping ranges and corrupt input with a typed error', () => {
    const { bytes } = fakeModel();
    expect(() =>
      encodeOtaContainer(bytes, [
        { offset: 0, length: 10 },
        { offset: 5, length: 10 },
      ]),
    ).toThrow(OtaContainerError);
    const enc = encodeOtaContainer(bytes, [{ offset: 1000, length: 3000 }]);
    expect(() => decodeOtaContainer(enc.bytes.subarray(0, enc.bytes.length - 50))).toThrow(OtaContainerError);
    const badMagic = enc.bytes.slice();
    badMagic[0] ^= 1;
    expect(() => decodeOtaContainer(badMagic)).toThrow(/bad magic/);
  });
});
