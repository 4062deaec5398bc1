/**
 * The hardening suite: attacks, floods and soaks against a router on 127.0.0.1, each bounded in count and
 * time. Run apart from `npm test` (npm run test:hardening) and one file at a time, so load from one test
 * does not distort another's figures.
 * @type {import('jest').Config}
 */
import base from './jest.config.js';

export default {
  ...base,
  testPathIgnorePatterns: ['/node_modules/'],
  testMatch: ['<rootDir>/test/hardening/**/*.spec.ts'],
  maxWorkers: 1,
  testTimeout: 180000,
};
