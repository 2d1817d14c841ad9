import type { Logger } from '../../src/index.js';

/** A logger that keeps every line, for assertions. */
export function recordingLogger(): Logger & {
  lines: Array<{ level: string; message: string; details?: unknown }>;
} {
  const lines: Array<{ level: string; message: string; details?: unknown }> = [];
  return {
    lines,
    debug: (message, details) => lines.push({ level: 'debug', message, details }),
    warn: (message, details) => lines.push({ level: 'warn', message, details }),
    error: (message, details) => lines.push({ level: 'error', message, details }),
  };
}
