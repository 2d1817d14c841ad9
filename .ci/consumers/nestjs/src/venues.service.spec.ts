import { Test, TestingModule } from '@nestjs/testing';
import { isBookableAuthError } from 'bookable-axios-auth';
import { startTestServer, TestServer } from 'bookable-axios-auth/testing';
import { BookableApiModule } from './bookable-api.module';
import { VenuesService } from './venues.service';

describe('VenuesService through BookableApiModule', () => {
  let server: TestServer;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  afterEach(() => moduleRef?.close());

  const compile = (clientSecret: string) =>
    Test.createTestingModule({
      imports: [
        BookableApiModule.register({
          baseURL: server.apiOrigin,
          clientId: server.clientId,
          clientSecret,
          tokenUrl: server.tokenUrl,
          audience: server.audience,
        }),
      ],
      providers: [VenuesService],
    }).compile();

  it('loads the CommonJS build', () => {
    expect(require.resolve('bookable-axios-auth')).toMatch(/\.cjs$/);
  });

  it('sends 20 concurrent requests through HttpService with one token', async () => {
    moduleRef = await compile(server.clientSecret);
    const venues = moduleRef.get(VenuesService);
    const results = await Promise.all([
      ...Array.from({ length: 19 }, (_, i) => venues.getVenue(String(i))),
      venues.listVenues().then((status) => ({ status, path: '/venues' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results[3]!.path).toBe('/venues/3');
    expect(server.tokenRequests).toBe(1);
    expect(server.apiRequests).toBe(20);
  });

  it('rejects with a coded error when the credentials are wrong', async () => {
    moduleRef = await compile('not-the-secret');
    const error: unknown = await moduleRef
      .get(VenuesService)
      .getVenue('1')
      .catch((e: unknown) => e);
    expect(isBookableAuthError(error) && error.code).toBe('invalid_client_credentials');
  });
});
