import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^rxrun$': '<rootDir>/lib/index.ts',
    '^rxrun/testing$': '<rootDir>/lib/testing/index.ts',
  },
  testTimeout: 60_000,
  // The summary reporter prints the run's last line: `tests: N passed, N failed[, N skipped]`.
  reporters: ['default', '<rootDir>/spec/support/summaryReporter.js'],
};

export default config;
