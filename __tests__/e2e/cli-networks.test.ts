import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { startTestProxy, type TestProxy } from '../helpers/proxy.js';
import { useRealNetwork } from '../helpers/real-network.js';

useRealNetwork();

const cli = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

/** Runs the built CLI (the e2e project builds it before its first test). */
function token(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'token', '--json'],
      { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe('bookable-auth token on a corporate network', () => {
  let server: TestServer;
  let proxy: TestProxy;
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(async () => {
    server = await startTestServer({
      tls: true,
      clients: [{ clientId: 'billing', tlsClientAuthSubjectDn: 'CN=billing-service' }],
    });
    proxy = await startTestProxy();
    dir = mkdtempSync(join(tmpdir(), 'bookable-cli-'));
  });
  afterAll(async () => {
    await Promise.all([server.close(), proxy.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('authenticates with a client certificate and a private CA from files, through HTTPS_PROXY', async () => {
    const { cert, key } = await server.issueClientCertificate({ subject: 'CN=billing-service' });
    const { code, stdout, stderr } = await token({
      BOOKABLE_CLIENT_ID: 'billing',
      BOOKABLE_TOKEN_URL: server.tokenUrl,
      BOOKABLE_CERT_FILE: file('client.pem', cert),
      BOOKABLE_KEY_FILE: file('client-key.pem', key),
      BOOKABLE_CA_FILE: file('ca.pem', server.ca!),
      HTTPS_PROXY: proxy.url,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toMatchObject({ tokenType: 'Bearer', subject: 'billing@clients' });
    expect(proxy.tunnels).toEqual([new URL(server.tokenUrl).host]);
  });

  it('exits 2 without the CA, naming the code and the flag that fixes it', async () => {
    const { cert, key } = await server.issueClientCertificate({ subject: 'CN=billing-service' });
    const { code, stderr } = await token({
      BOOKABLE_CLIENT_ID: 'billing',
      BOOKABLE_TOKEN_URL: server.tokenUrl,
      BOOKABLE_CERT_FILE: file('client.pem', cert),
      BOOKABLE_KEY_FILE: file('client-key.pem', key),
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^server_certificate_untrusted: .*pass that CA/);
    expect(stderr).not.toContain('PRIVATE KEY');
  });

  it('exits 2 when a certificate file comes without its key', async () => {
    const { code, stderr } = await token({
      BOOKABLE_CLIENT_ID: 'billing',
      BOOKABLE_CERT_FILE: file('lonely.pem', 'x'),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('both BOOKABLE_CERT_FILE and BOOKABLE_KEY_FILE');
  });
});
