// `import` on plain Node: the ES build, every subpath, real requests (shared/scenario.cjs).
import assert from 'node:assert/strict';
import axios from 'axios';
import * as auth from 'bookable-axios-auth';
import { createRedisTokenStore } from 'bookable-axios-auth/redis';
import * as testing from 'bookable-axios-auth/testing';
import { expected, runScenario } from '../shared/scenario.cjs';

for (const subpath of ['', '/testing', '/redis']) {
  assert.match(import.meta.resolve(`bookable-axios-auth${subpath}`), /\/dist\/(\w+\/)?index\.js$/);
}
assert.equal(typeof createRedisTokenStore, 'function');

assert.deepEqual(await runScenario({ axios, auth, testing }), expected);
console.log(`import: ok (Node ${process.version}, axios ${axios.VERSION})`);
