import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '../errors.js';

/** Where the CLI writes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes: documented in the usage text and in docs/cli.md. */
export const EXIT = Object.freeze({
  ok: 0,
  failed: 1,
  configuration: 2,
  rejected: 3,
  unreachable: 4,
});

export type ParsedFlags = Record<string, string | boolean | undefined>;

/** Parses a command's flags strictly; on an unknown or malformed flag, prints why and the usage. */
export function parse(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
  io: CliIo,
): ParsedFlags | undefined {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false })
      .values as ParsedFlags;
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${usage}`);
    return undefined;
  }
}
