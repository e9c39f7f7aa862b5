import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OP_CODES, OP_SET_DTYPES } from './op-set';

/** docs/protocol.md "Op sets" is what a device maker encodes by: it must list every code, in order. */
describe('docs/protocol.md op-set tables', () => {
  const doc = readFileSync(join(__dirname, '../../../../docs/protocol.md'), 'utf8');

  it('lists every op code of OP_CODES, in order, and nothing else', () => {
    const rows = [...doc.matchAll(/^\| (\d+) \| `([A-Z0-9_:a-zA-Z]+)` \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(OP_CODES.map((op, i) => [i, op]));
  });

  it('lists the type codes', () => {
    expect(doc).toContain(`Type codes: ${OP_SET_DTYPES.map((t, i) => `${i} \`${t}\``).join(', ')}.`);
  });
});
