import axios from 'axios';
import { attachBookableAuth, createTokenProvider } from 'bookable-axios-auth';

// One provider per set of credentials: one token, one renewal, for every instance.
const bookableTokens = createTokenProvider({
  clientId: process.env.BOOKABLE_CLIENT_ID ?? '',
  clientSecret: process.env.BOOKABLE_CLIENT_SECRET ?? '',
});

const venues = axios.create({ baseURL: 'https://api.bookabletech.com' });
const bookings = axios.create({ baseURL: 'https://api.bookabletech.com', timeout: 5_000 });
attachBookableAuth(venues, { tokenProvider: bookableTokens });
attachBookableAuth(bookings, { tokenProvider: bookableTokens });

// A health check that must not carry a token:
await venues.get('/health', { bookableAuth: { skip: true } });
