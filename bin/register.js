// Lets Node run the TypeScript sources directly: each .ts file of this repository is transpiled by
// swc on require, exactly as @swc-node/register does it with this repo's tsconfig.json (decorator
// metadata for Nest, CommonJS, the @tinyfleet/* path aliases), pinned to this repo so that
// `npx tinyfleet` works from any working directory. Worker threads and child processes load it
// with `-r <this file>`.
//
// Why not plain `require('@swc-node/register')`: loading it costs ~0.6 s per process before any
// of our code runs (it loads TypeScript, 9 MB, to read tsconfig.json, and the swc binding) even
// when its transform cache has every file. Here the transpiled output is cached on disk under a
// key that covers everything it depends on (the source, its path, tsconfig.json and the versions
// of @swc-node/register and @swc/core), and swc-node — with TypeScript and swc — is loaded only
// on a cache miss. A warm run loads neither. See "Start-up" in the README for the measurements.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'tinyfleet', 'swc');
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
// Which .js files swc-node transpiles in CommonJS mode: those that look like ES modules.
const LOOKS_LIKE_ESM = /(?:^|\n)\s*import\s|(?:^|\n)\s*export\s|\bimport\.meta\b/;

process.env.SWC_NODE_PROJECT = TSCONFIG;

// Stack traces name .ts lines: source-map-support reads the inline source map of the cached
// output, and is loaded by the first stack trace that is formatted (loading it costs ~50 ms, and
// Node's own source-map support would parse every module's map while it loads).
const cacheFileOf = new Map();
const INLINE_MAP = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';
Error.prepareStackTrace = function firstStackTrace(error, frames) {
  require('source-map-support').install({
    environment: 'node',
    handleUncaughtExceptions: false,
    retrieveSourceMap(file) {
      const cacheFile = cacheFileOf.get(file);
      if (!cacheFile) return null;
      const code = fs.readFileSync(cacheFile, 'utf8');
      const at = code.lastIndexOf(INLINE_MAP);
      if (at < 0) return null;
      return { url: file, map: Buffer.from(code.slice(at + INLINE_MAP.length).trim(), 'base64').toString('utf8') };
    },
  });
  return Error.prepareStackTrace(error, frames);
};

let toolchainSalt;
function salt() {
  if (toolchainSalt === undefined) {
    // Direct dependencies, so npm installs them at the top of node_modules.
    const version = (pkg) =>
      JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    toolchainSalt = ['@swc-node/register', '@swc-node/core', '@swc/core']
      .map((pkg) => `${pkg} ${version(pkg)}`)
      .concat(fs.readFileSync(TSCONFIG, 'utf8'))
      .join('\0');
  }
  return toolchainSalt;
}

let swcNode;
function transpile(source, filename) {
  // Only on a cache miss: swc-node's own compile() with the options it reads from tsconfig.json.
  if (!swcNode) {
    const { compile } = require('@swc-node/register/register');
    const { readDefaultTsConfig } = require('@swc-node/register/read-default-tsconfig');
    const options = readDefaultTsConfig(TSCONFIG);
    options.module = require('typescript').ModuleKind.CommonJS;
    swcNode = { compile, options };
  }
  return swcNode.compile(source, filename, { ...swcNode.options });
}

function cached(source, filename) {
  const key = createHash('sha256').update(salt()).update('\0').update(filename).update('\0').update(source);
  const file = path.join(CACHE_DIR, `${key.digest('hex')}.js`);
  cacheFileOf.set(filename, file);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // Not cached yet.
  }
  const code = transpile(source, filename);
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    // Atomic for concurrent processes (Jest workers, forked children): write aside, then rename.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  } catch {
    // A read-only install still runs, it just transpiles every time.
  }
  return code;
}

function hook(ext, shouldTranspile) {
  const original = Module._extensions[ext] ?? Module._extensions['.js'];
  Module._extensions[ext] = function loadTranspiled(module, filename) {
    if (filename.includes(NODE_MODULES)) return original(module, filename);
    const source = fs.readFileSync(filename, 'utf8');
    if (!shouldTranspile(source)) return original(module, filename);
    module._compile(cached(source, filename), filename);
  };
}

hook('.ts', () => true);
hook('.js', (source) => LOOKS_LIKE_ESM.test(source));
