/**
 * The three commands the store sends, whatever the client: each client's module translates them
 * into its own calling convention. Replies are passed through as the client gives them.
 */
export interface RedisCommands {
  /** The client family, named in error messages. */
  readonly family: 'node-redis' | 'ioredis';
  /** `GET key`: a string (or a Buffer, with some type mappings), or null. */
  get(key: string): Promise<unknown>;
  /** `SET key value PX ttlMs [NX]`: 'OK', or null when NX found the key taken. */
  set(key: string, value: string, ttlMs: number, onlyIfAbsent: boolean): Promise<unknown>;
  /** `EVAL script 1 key arg`: the script's reply. */
  eval(script: string, key: string, arg: string): Promise<unknown>;
}

/** Whether `client` has the three command methods the store sends. */
export function hasStoreCommands(client: object): boolean {
  const c = client as Record<string, unknown>;
  return typeof c.get === 'function' && typeof c.set === 'function' && typeof c.eval === 'function';
}
