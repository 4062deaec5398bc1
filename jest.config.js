/**
 * Jest runs in ESM mode (NestJS 12 packages are ESM-only; see README "Development").
 * @swc/jest strips types and keeps decorator metadata; `npm run typecheck` type-checks.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        },
        module: { type: 'es6' },
      },
    ],
  },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // Load, soak and attack tests run apart (npm run test:hardening), one file at a time; so do the consumer
  // apps (npm run test:consumers), which need the npm registry.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/hardening/', '<rootDir>/test/consumers/'],
  testTimeout: 20000,
  setupFiles: ['<rootDir>/test/support/jest-environment.ts'],
};
