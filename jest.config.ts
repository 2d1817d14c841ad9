import type { Config } from 'jest';

/** What every layer of the suite shares: TypeScript in ESM mode, and no network but loopback. */
const base = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true }],
  },
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/setup.ts'],
} satisfies Config;

const config: Config = {
  testTimeout: 20_000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/__tests__/(integration|e2e)/'],
    },
    {
      // Loopback servers against the sources.
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'],
    },
    {
      // The loopback tests where axios's own handling differs by version (proxies, agents, TLS,
      // replays), again with the lowest axios the peer range allows.
      ...base,
      displayName: 'axios-1.6',
      testMatch: [
        '<rootDir>/__tests__/integration/{networks,mutual-tls,refresh-and-replay,attach,redaction}.test.ts',
      ],
      moduleNameMapper: {
        ...base.moduleNameMapper,
        '^axios$': '<rootDir>/node_modules/axios-1.6/index.js',
      },
    },
    {
      // The built package and child processes: built once, before the first of these runs.
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/__tests__/e2e/build-package.mjs',
    },
  ],
};

export default config;
