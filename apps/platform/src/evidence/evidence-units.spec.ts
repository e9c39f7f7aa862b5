import { crc32 } from '@tinyfleet/wire';
import { inflateSync } from 'node:zlib';
import { evidenceKeyOf, evidenceSignatureValid } from './evidence-key';
import { exceedsRequest, mayMove, takesChunks } from './evidence-states';
import { grayPng } from './png';
import { createHmac } from 'node:crypto';

describe('grayPng', () => {
  it('writes a valid 8-bit greyscale PNG whose rows are the pixels', () => {
    const pixels = Uint8Array.from({ length: 6 }, (_, i) => i * 40);
    const png = grayPng(pixels, 3);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: length 13, width 3, height 2, depth 8, colour type 0; its CRC covers type and data.
    expect(png.readUInt32BE(8)).toBe(13);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([3, 2, 8, 0]);
    expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29)));
    const idatLength = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect(Array.from(raw)).toEqual([0, 0, 40, 80, 0, 120, 160, 200]); // filter byte 0 before each row
    expect(png.toString('latin1', png.length - 8, png.length - 4)).toBe('IEND');
  });

  it('refuses pixels that do not make whole rows', () => {
    expect(() => grayPng(new Uint8Array(7), 3)).toThrow(RangeError);
  });
});

describe('evidence key and signature', () => {
  it('matches the docs/protocol.md §12.2 test vector', () => {
    expect(evidenceKeyOf('example-device-secret').toString('hex')).toBe(
      '3327f58dfd55f0f17e4bb515a1ae69bc2288fbca12b45fd276df50a6a2f8b428',
    );
  });

  it('accepts the right HMAC only', () => {
    const key = evidenceKeyOf('s');
    const signed = Uint8Array.of(1, 2, 3);
    const mac = createHmac('sha256', key).update(signed).digest();
    expect(evidenceSignatureValid(key, signed, mac)).toBe(true);
    mac[0] ^= 1;
    expect(evidenceSignatureValid(key, signed, mac)).toBe(false);
    expect(evidenceSignatureValid(key, signed, mac.subarray(0, 31))).toBe(false);
  });
});

describe('evidence device states', () => {
  it('moves forward only', () => {
    expect(mayMove('requested', 'accepted')).toBe(true);
    expect(mayMove('accepted', 'done')).toBe(true);
    expect(mayMove('accepted', 'accepted')).toBe(false); // a re-delivered status
    expect(mayMove('declined', 'done')).toBe(false);
    expect(mayMove('done', 'accepted')).toBe(false);
    expect(takesChunks('declined')).toBe(false);
    expect(takesChunks('accepted')).toBe(true);
  });
});

describe('exceedsRequest', () => {
  const request = { maxWindows: 2, maxBytes: 1000 };
  it('refuses a window index the request did not ask for', () => {
    expect(exceedsRequest(request, 0, 1)).toBe(false);
    expect(exceedsRequest(request, 0, 2)).toBe(true);
  });
  it('refuses a blob that takes the stored bytes past maxBytes, and allows exactly maxBytes', () => {
    expect(exceedsRequest(request, 400, 1, 600)).toBe(false);
    expect(exceedsRequest(request, 400, 1, 601)).toBe(true);
  });
});
