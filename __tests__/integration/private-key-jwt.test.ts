import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { createTokenProvider } from '../../src/index.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('private_key_jwt against the testing server', () => {
  it('is accepted with the registered key, refused with another key, and a replayed assertion is refused', async () => {
    const { startTestServer } = await import('../../src/testing/index.js');
    const server = await startTestServer({ clients: [{ clientId: 'pk-client', publicKey }] });
    nock.enableNetConnect('127.0.0.1');
    try {
      const options = {
        clientId: 'pk-client',
        tokenUrl: server.tokenUrl,
        clientAuthentication: 'private_key_jwt' as const,
      };
      await expect(createTokenProvider({ ...options, privateKey }).getToken()).resolves.toMatch(
        /^eyJ/,
      );
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await expect(
        createTokenProvider({ ...options, privateKey: other }).getToken(),
      ).rejects.toMatchObject({
        code: 'invalid_client_credentials',
      });
      // Replay: send the same assertion twice by hand.
      const { createAssertionSigner } =
        await import('../../src/token-endpoint/client-assertion.js');
      const assertion = await createAssertionSigner({
        clientId: 'pk-client',
        key: privateKey,
        algorithm: 'RS256',
        keyId: undefined,
        audience: `${new URL(server.tokenUrl).origin}/`,
      })();
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'pk-client',
        audience: server.audience,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString();
      const post = () =>
        fetch(server.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
