import axios from 'axios';
import { attachBookableAuth } from 'bookable-axios-auth';

const api = axios.create({ baseURL: 'https://api.bookabletech.com' });
attachBookableAuth(api, {
  clientId: process.env.BOOKABLE_CLIENT_ID ?? '',
  clientSecret: process.env.BOOKABLE_CLIENT_SECRET ?? '',
  scope: 'venue:read venue-booking:create',
});

// Every request now carries a cached, renewed-before-expiry Bearer token.
const { data } = await api.get('/venues');
console.log(data);
