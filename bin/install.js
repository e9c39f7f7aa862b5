// `npm install` / `npm ci` run this (the root package's postinstall). Two things, both local:
//
// 1. node_modules/.bin/tinyfleet -> bin/tinyfleet.js, the link npm makes for a dependency's bin.
//    package.json deliberately has no "bin": for a project's own bin, npm exec "installs" the
//    project into its npx cache on every `npx tinyfleet`, reading all of node_modules (~3 s here)
//    before our code starts. With the link, npx finds the command in node_modules/.bin at once,
//    from any folder of the checkout.
// 2. Transpiles the CLI's modules into bin/register.js's cache, so the first `npx tinyfleet --help`
//    after a fresh clone is as fast as every later one (the rest is transpiled on first use).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const binDir = path.join(ROOT, 'node_modules', '.bin');
const link = path.join(binDir, 'tinyfleet');
const target = path.relative(binDir, path.join(__dirname, 'tinyfleet.js'));

fs.mkdirSync(binDir, { recursive: true });
let current;
try {
  current = fs.readlinkSync(link);
} catch {
  // No link yet (or a file that is not a link: replaced below).
}
if (current !== target) {
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
}

// The Docker image installs dependencies before it copies the sources: nothing to warm then.
const cli = path.join(ROOT, 'apps', 'cli', 'src', 'main.ts');
if (fs.existsSync(cli)) {
  require('./register');
  require(cli);
}
