import axios from 'axios';
import { attachBookableAuth, isBookableAuthError } from 'bookable-axios-auth';

const api = axios.create({ baseURL: 'https://api.bookabletech.com' });
attachBookableAuth(api, {
  clientId: process.env.BOOKABLE_CLIENT_ID ?? '',
  clientSecret: process.env.BOOKABLE_CLIENT_SECRET ?? '',
  logger: console,
});

try {
  await api.get('/venues');
} catch (error) {
  if (isBookableAuthError(error)) {
    // No token could be had: the code says why, the message says what to change.
    console.error(error.code, error.message);
  } else if (axios.isAxiosError(error)) {
    // The API answered; the bearer token is redacted from everything on this error.
    console.error(error.response?.status, error.message);
  }
}
