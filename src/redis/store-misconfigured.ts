import { BookableAuthError } from '../errors.js';

/** One command as the store sent it, for the message (never its value). */
export interface SentCommand {
  /** As Redis names it: `GET`, `SET ... PX ... NX`, `EVAL`. */
  readonly name: string;
  readonly key: string;
  /** `keyPrefix`, for the ACL key pattern in the fix. */
  readonly keyPrefix: string;
  /** The calling convention the store used. */
  readonly family: 'node-redis' | 'ioredis';
}

interface Rule {
  readonly matches: (reply: string) => boolean;
  readonly fix: (command: SentCommand) => string;
}

const startsWith =
  (...prefixes: string[]) =>
  (reply: string): boolean =>
    prefixes.some((prefix) => reply.startsWith(prefix));

/** Replies that mean "misconfigured", with what to change. Any other failure is an outage. */
const RULES: readonly Rule[] = [
  {
    // Redis 7.0 answers a script's forbidden call with the second.
    matches: startsWith('NOPERM', "ERR The user executing the script can't run"),
    fix: ({ keyPrefix }) =>
      `the Redis user may not run the store's commands on its keys: grant them, e.g. ` +
      `\`ACL SETUSER <user> ~${keyPrefix}* +get +set +eval +del\` (docs/scaling.md lists what each client needs)`,
  },
  {
    matches: startsWith('NOAUTH', 'WRONGPASS'),
    fix: () =>
      'Redis wants a username and password that this client did not give (or gave wrongly): ' +
      'put them in the client options or URL (`redis://user:password@host:6379`)',
  },
  {
    matches: startsWith('WRONGTYPE'),
    fix: ({ key }) =>
      `\`${key}\` holds a value of another type, written by something else: give the store a ` +
      '`keyPrefix` of its own',
  },
  {
    matches: startsWith('MOVED ', 'ASK '),
    fix: () =>
      'this Redis is a Cluster node, and a single-node client cannot follow its redirections: ' +
      "pass a cluster client (`createCluster()` from 'redis', `new Cluster()` from 'ioredis')",
  },
  {
    matches: startsWith('ERR unknown command', 'ERR unknown subcommand'),
    fix: ({ name }) =>
      `this server does not offer \`${name.split(' ')[0]}\`: the store needs GET, SET with PX and NX, ` +
      'and EVAL (Lua scripting), which Redis and Valkey have; a proxy or managed service may ' +
      'rename or disable them',
  },
  {
    matches: startsWith(
      'ERR syntax error',
      'ERR wrong number of arguments',
      'ERR value is not',
      'ERR invalid expire time',
    ),
    fix: ({ family }) =>
      `the client did not send the command as the store wrote it in ${family}'s convention: pass ` +
      'the node-redis or ioredis client itself, not a wrapper that changes how its methods take arguments',
  },
];

/**
 * The `store_misconfigured` error for a Redis reply that no retry can cure, or undefined for any
 * other failure (a lost connection, a timeout, a failover, a busy server), which is an outage.
 *
 * The cause is a copy of the reply that keeps only its name and message: ioredis's `ReplyError`
 * carries the command's arguments, and a SET's value is the (possibly unencrypted) token.
 */
export function misconfiguration(error: unknown, command: SentCommand): Error | undefined {
  if (!(error instanceof Error)) return undefined;
  const reply = error.message;
  const rule = RULES.find((r) => r.matches(reply));
  if (rule === undefined) return undefined;
  const cause = new Error(reply);
  cause.name = error.name;
  return new BookableAuthError(
    'store_misconfigured',
    `Redis refused \`${command.name}\` on \`${command.key}\` (${reply}): ${rule.fix(command)}. ` +
      'Retrying cannot fix this; until it is fixed, each process fetches its own tokens',
    { cause },
  );
}
