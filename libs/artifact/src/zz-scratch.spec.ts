import { encodeOtaContainer, decodeOtaContainer } from './ota-container';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
it('scratch', () => {
  let shown = 0;
  for (let n = 64; n <= 128 && shown < 6; n += 4) for (let hole = 2; hole < n && shown < 6; hole += 4) {
    const w = new Int8Array(n);
    for (let i = 0; i < n; i++) if (i % 4 === 2 && i !== hole) w[i] = [5, -3, 5, 2][(i >> 2) % 4]!;
    const head = Uint8Array.from([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33]);
    const dense = Int8Array.from([3, -1, 3, 3, -1, 0, 3, 7, 3, -1, 3, 3, 0, 3, -1, 3]);
    const model = new Uint8Array(8 + 16 + 4 + n + 4);
    model.set(head, 0); model.set(new Uint8Array(dense.buffer), 8); model.set([0x10, 0, 0, 0], 24);
    model.set(new Uint8Array(w.buffer), 28); model.set([0xab, 0xcd, 0xef, 0x01], 28 + n);
    const enc = encodeOtaContainer(model, [{ offset: 8, length: 16 }, { offset: 28, length: n }]);
    const r = enc.records[1]!;
    if (r.mode === 'sparse') { shown++; console.log(n, hole, enc.bytes.length, JSON.stringify(r), hex(enc.bytes)); }
    expect(decodeOtaContainer(enc.bytes)).toEqual(model);
  }
});
