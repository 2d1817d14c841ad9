import axios from 'axios';
import * as auth from 'bookable-axios-auth';
import * as testing from 'bookable-axios-auth/testing';
import { expected, runScenario } from '../shared/scenario.cjs';

describe('bookable-axios-auth in Jest 29, CommonJS mode, babel-jest', () => {
  it('resolves to the CommonJS build', () => {
    expect(require.resolve('bookable-axios-auth')).toMatch(/\.cjs$/);
    expect(require.resolve('bookable-axios-auth/testing')).toMatch(/\.cjs$/);
  });

  it('sends 20 concurrent requests with one token, and throws coded errors', async () => {
    expect(await runScenario({ axios, auth, testing })).toEqual(expected);
  });
});
