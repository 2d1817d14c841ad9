import axios from 'axios';
import * as auth from 'bookable-axios-auth';
import * as testing from 'bookable-axios-auth/testing';
import { describe, expect, it } from 'vitest';
import { expected, runScenario } from '../shared/scenario.cjs';

describe('bookable-axios-auth in Vitest', () => {
  it('resolves to the ES build', () => {
    expect(import.meta.resolve('bookable-axios-auth')).toMatch(/\/dist\/index\.js$/);
  });

  it('sends 20 concurrent requests with one token, and throws coded errors', async () => {
    expect(await runScenario({ axios, auth, testing })).toEqual(expected);
  });
});
