import { runDemo } from './demo.js';
import { EXIT, parse, type CliIo } from './io.js';
import { tokenCommand } from './token-command.js';

export { EXIT, type CliIo } from './io.js';

const USAGE = `Usage: bookable-auth <command> [options]

Commands:
  token    Fetch a token with your credentials and show what it grants
  demo     Run the whole story against a local server (no credentials, no network)

Run "bookable-auth <command> --help" for a command's options.`;

const DEMO_USAGE = `Usage: bookable-auth demo [options]

Starts a local Auth0-compatible server and protected API on 127.0.0.1 and shows, step by step,
cold-start concurrency, caching, renewal, a revoked token, an outage and a wrong secret.
Exits 0 when every step behaved, 1 otherwise.

Options:
  --events     after each step, print the diagnostics_channel events it published, one line
               each: the channel, then the fields an operator would graph
  -h, --help   show this help`;

/** Runs the CLI and resolves to its exit code. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? EXIT.configuration : EXIT.ok;
  }
  if (command === 'token') return tokenCommand(rest, env, io);
  if (command === 'demo') {
    const parsed = parse(
      rest,
      { events: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      DEMO_USAGE,
      io,
    );
    if (parsed === undefined) return EXIT.configuration;
    if (parsed.help) {
      io.out(DEMO_USAGE);
      return EXIT.ok;
    }
    return (await runDemo(io.out, { events: parsed.events === true })) ? EXIT.ok : EXIT.failed;
  }
  io.err(`Unknown command "${command}".\n\n${USAGE}`);
  return EXIT.configuration;
}
