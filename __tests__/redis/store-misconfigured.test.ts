import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { isBookableAuthError } from '../../src/index.js';
import { misconfiguration, type SentCommand } from '../../src/redis/store-misconfigured.js';

const command: SentCommand = {
  name: 'EVAL',
  key: 'bookable-axios-auth:token:abc:lock',
  keyPrefix: 'bookable-axios-auth:',
  family: 'ioredis',
};

/** A reply error as the clients raise them: the reply as message, and (ioredis) the command. */
function reply(message: string, args: string[] = []): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return Object.assign(error, { command: { name: 'eval', args } });
}

describe('a Redis reply that no retry can cure is a misconfiguration', () => {
  it.each([
    [
      "NOPERM this user has no permissions to run the 'eval' command",
      /ACL SETUSER <user> ~bookable-axios-auth:\* \+get \+set \+eval \+del/,
    ],
    [
      "ERR The user executing the script can't run this command or subcommand script: 0123, on @user_script:1.",
      /ACL SETUSER/,
    ],
    ['NOAUTH Authentication required.', /username and password/],
    ['WRONGPASS invalid username-password pair or user is disabled.', /username and password/],
    [
      'WRONGTYPE Operation against a key holding the wrong kind of value',
      /`bookable-axios-auth:token:abc:lock` holds a value of another type.*`keyPrefix`/,
    ],
    [
      'MOVED 3999 127.0.0.1:7001',
      /cluster client \(`createCluster\(\)` from 'redis', `new Cluster\(\)` from 'ioredis'\)/,
    ],
    ['ASK 3999 127.0.0.1:7001', /cluster client/],
    ["ERR unknown command 'EVAL', with args beginning with: ", /does not offer `EVAL`/],
    ['ERR syntax error', /in ioredis's convention: pass the node-redis or ioredis client itself/],
    ["ERR wrong number of arguments for 'set' command", /client itself/],
    ['ERR value is not an integer or out of range', /client itself/],
    ["ERR invalid expire time in 'set' command", /client itself/],
  ])('%s', (message, fix) => {
    const error = misconfiguration(reply(message), command);
    expect(isBookableAuthError(error) && error.code).toBe('store_misconfigured');
    expect(error!.message).toContain(`Redis refused \`EVAL\` on \`${command.key}\` (${message}): `);
    expect(error!.message).toMatch(fix);
    expect(error!.message).toMatch(
      /Retrying cannot fix this; until it is fixed, each process fetches its own tokens$/,
    );
    expect((error!.cause as Error).message).toBe(message);
  });

  it.each([
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.',
    "READONLY You can't write against a read only replica.",
    "OOM command not allowed when used memory > 'maxmemory'.",
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.',
    'ERR max number of clients reached',
    'Connection is closed.',
    'Socket closed unexpectedly',
    'The client is closed',
    'Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.',
  ])('but not %s: that is an outage, left as it was', (message) => {
    expect(misconfiguration(reply(message), command)).toBeUndefined();
  });

  it('leaves the command’s arguments out of the error: a value may be a token', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.a-token-value.signature';
    const error = misconfiguration(
      reply("NOPERM this user has no permissions to run the 'eval' command", [
        'script',
        '1',
        command.key,
        token,
      ]),
      command,
    );
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(token);
    expect(JSON.stringify(error)).not.toContain(token);
  });
});
