// One Jest run for everything `npm test` covers: unit specs next to the code (*.spec.ts) and
// cross-project tests under test/ (*.e2e-spec.ts). swc transpiles (with decorator metadata for
// Nest); `npm run typecheck` does the type checking.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps/', '<rootDir>/libs/', '<rootDir>/device-sim/', '<rootDir>/test/'],
  moduleNameMapper: {
    '^@tinyfleet/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@tinyfleet/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  // ESM-only dependencies: Jest's CommonJS runtime cannot require(esm) on Node 20, so compile them.
  transformIgnorePatterns: ['/node_modules/(?!(aedes)/)'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
