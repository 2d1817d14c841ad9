import { BookableAuthError } from '../errors.js';

/**
 * The checks every option resolver shares. Each throws `invalid_options` with a message that
 * names the option, what is wrong with the value, and (through `hint`) what to pass instead. A
 * message never quotes a secret or a key.
 */

export function invalid(message: string): BookableAuthError {
  return new BookableAuthError('invalid_options', message);
}

export function requireString(value: unknown, name: string, hint: string): string {
  if (value === undefined || value === null) throw invalid(`\`${name}\` is missing: ${hint}`);
  if (typeof value !== 'string') {
    throw invalid(`\`${name}\` must be a string, got ${typeof value}: ${hint}`);
  }
  if (value.trim() === '') throw invalid(`\`${name}\` is empty: ${hint}`);
  return value;
}

export function optionalNumber(
  value: unknown,
  name: string,
  fallback: number,
  { min = 0, integer = false }: { min?: number; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`\`${name}\` must be a finite number, got ${String(value)}`);
  }
  if (value < min) throw invalid(`\`${name}\` must be at least ${min}, got ${value}`);
  if (integer && !Number.isInteger(value)) {
    throw invalid(`\`${name}\` must be a whole number, got ${value}`);
  }
  return value;
}

export function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(`\`${name}\` must be a boolean`);
  return value;
}

export function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw invalid(
      `\`${name}\` must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

export function optionalFunction<F>(value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(`\`${name}\` must be a function`);
  return value as F;
}

/** The names of `methods` that `value` lacks as functions (all of them when it is no object). */
export function missingMethods(value: unknown, methods: readonly string[]): string[] {
  return methods.filter(
    (name) =>
      typeof value !== 'object' ||
      value === null ||
      typeof (value as Record<string, unknown>)[name] !== 'function',
  );
}
