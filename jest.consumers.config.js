/**
 * The consumer tests: the packed library installed into fresh apps (npm run test:consumers). They need the
 * npm registry and take a few minutes, so they run apart from `npm test`, one app at a time.
 * @type {import('jest').Config}
 */
import base from './jest.config.js';

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['<rootDir>/test/consumers/**/*.spec.ts'],
  maxWorkers: 1,
  testTimeout: 600000,
};
