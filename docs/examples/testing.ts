import axios from 'axios';
import { attachBookableAuth } from 'bookable-axios-auth';
import { startTestServer } from 'bookable-axios-auth/testing';

// In a test: a local Auth0-compatible tenant and a protected API, on 127.0.0.1.
const server = await startTestServer({ tokenLifetimeSeconds: 60 });
const api = axios.create({ baseURL: server.apiOrigin });
attachBookableAuth(api, {
  clientId: server.clientId,
  clientSecret: server.clientSecret,
  tokenUrl: server.tokenUrl,
  audience: server.audience,
});

await api.get('/venues'); // 200, with a real RS256 token verified by the API
server.failNextTokenRequests(2, { status: 503 }); // the next two token requests fail
console.log(server.tokenRequests, server.apiRequests);
await server.close();
