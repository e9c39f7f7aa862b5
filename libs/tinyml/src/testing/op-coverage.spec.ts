/** README.md "Op coverage" is generated from the kernels, their specs and the models: it must be current. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNELS_BY_NAME } from '../kernels/kernel-registry';
import { typesUsedByModels, withOpCoverage } from './op-coverage';

describe('op coverage table', () => {
  it('README.md has the table the code and the models give (run libs/tinyml/tools/op-coverage.ts to update)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withOpCoverage(readme)).toBe(readme);
  });

  it('declares a kernel type for every op and type a reference or held-out model uses', () => {
    const undeclared = typesUsedByModels().filter(({ op, type }) => !KERNELS_BY_NAME.get(op)?.types.includes(type));
    expect(undeclared).toEqual([]);
  });
});
