/**
 * Writes the generated op coverage table into libs/tinyml/README.md ("Op coverage"): run as
 * `FLEET_DATA_DIR=/work/shared node -r ./bin/register.js libs/tinyml/tools/op-coverage.ts` after adding a
 * kernel, a kernel type or a test; src/testing/op-coverage.spec.ts fails while the README is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withOpCoverage } from '../src/testing/op-coverage';

const readmePath = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(readmePath, withOpCoverage(fs.readFileSync(readmePath, 'utf8')));
process.stdout.write(`updated ${readmePath}\n`);
