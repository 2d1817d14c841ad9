import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/idle-background-failure.ts', import.meta.url));

describe('a failed background renewal in an idle process', () => {
  it('never surfaces as an unhandled rejection (which would crash Node)', async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      execFile(
        process.execPath,
        ['--no-warnings', '--loader', 'ts-node/esm', fixture],
        {
          env: { ...process.env, NODE_OPTIONS: '', TS_NODE_TRANSPILE_ONLY: 'true' },
          timeout: 20_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect({ code, stderr: stderr.includes('Unhandled') ? stderr : '' }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(stdout).toContain('idle-ok after 2 token requests');
  });
});
