import axios from 'axios';
import { attachBookableAuth, createTokenProvider, isBookableAuthError } from 'bookable-axios-auth';
import { startTestServer } from 'bookable-axios-auth/testing';
import { createRedisTokenStore } from 'bookable-axios-auth/redis';
import { expected, runScenario, type ScenarioOutcome } from '../shared/scenario.cjs';

describe('bookable-axios-auth in Jest 29, CommonJS mode, ts-jest', () => {
  it('resolves every subpath to the CommonJS build', () => {
    for (const subpath of ['', '/testing', '/redis']) {
      expect(require.resolve(`bookable-axios-auth${subpath}`)).toMatch(/\.cjs$/);
    }
    expect(typeof createRedisTokenStore).toBe('function');
  });

  it('sends 20 concurrent requests with one token, and fails with coded errors', async () => {
    const outcome: ScenarioOutcome = await runScenario({
      axios,
      auth: { attachBookableAuth, createTokenProvider, isBookableAuthError },
      testing: { startTestServer },
    });
    expect(outcome).toEqual(expected);
  });
});
