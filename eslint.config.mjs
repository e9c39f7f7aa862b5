// Lint rules that encode the architecture, plus typescript-eslint's recommended set. Formatting is
// Prettier's job (`npm run format:check`), so no stylistic rules live here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Import patterns a folder may never use; each entry says why in its message. */
const APPS = {
  group: ['**/apps/**', '@tinyfleet/platform*', '@tinyfleet/cli*'],
  message: 'libraries never import applications',
};
const DEVICE_SIM = { group: ['**/device-sim/**'], message: 'libraries never import the simulator' };
const NEST = { group: ['@nestjs/*', 'typeorm', '@nestjs/typeorm'], message: 'this library is framework-free' };
const DEVICE_SIM_INTERNALS = {
  group: ['**/device-sim/src/**', '!**/device-sim/src/index'],
  message: 'import the simulator through device-sim/src/index.ts only',
};
const PLATFORM_INTERNALS = {
  group: ['**/apps/platform/src/**', '!**/apps/platform/src/index'],
  message: 'import the platform through apps/platform/src/index.ts only',
};

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.tinyfleet/**', 'test-artifacts/**', 'scratch/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A callback may capture a binding that is assigned right after (two objects that refer to each other).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Tests and protocol fuzzers poke at untyped values on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      // Nest's DI needs classes whose declaration merges with an interface of the same name.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
    },
  },
  {
    files: ['apps/dashboard/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'module' },
  },
  {
    files: ['bin/**/*.js', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [APPS, DEVICE_SIM] }] },
  },
  {
    files: ['libs/tinyml/**/*.ts', 'libs/wire/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [APPS, DEVICE_SIM, NEST] }] },
  },
  {
    files: ['apps/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [DEVICE_SIM_INTERNALS, PLATFORM_INTERNALS] }],
      // The CLI loads the simulator and the platform lazily (import()), which no-restricted-imports skips.
      'no-restricted-syntax': [
        'error',
        ...['ImportExpression > Literal', 'TSImportType Literal'].flatMap((node) => [
          {
            selector: `${node}[value=/device-sim.src.(?!index)./]`,
            message: DEVICE_SIM_INTERNALS.message,
          },
          {
            selector: `${node}[value=/apps.platform.src.(?!index)./], ${node}[value=/^[.][.].[.][.].[.][.].platform.src./]`,
            message: PLATFORM_INTERNALS.message,
          },
        ]),
      ],
    },
  },
);
