// Lets Node run the TypeScript sources directly (swc transpiles on require, with decorator
// metadata for Nest and the tsconfig path aliases). Pinned to this repo's tsconfig so that
// `npx tinyfleet` works from any working directory; worker threads and child processes
// load it with `-r <this file>`.
const { join } = require('node:path');
process.env.SWC_NODE_PROJECT = join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
