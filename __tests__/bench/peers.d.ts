declare module 'axios-token-interceptor' {
  import type { InternalAxiosRequestConfig } from 'axios';
  interface TokenCache<T> {
    (): Promise<T>;
    reset(): void;
  }
  interface TokenProviderOptions<T> {
    getToken: () => Promise<T>;
    headerFormatter?: (token: T) => string;
  }
  interface TokenProviderFactory {
    <T>(
      options: TokenProviderOptions<T>,
    ): (config: InternalAxiosRequestConfig) => Promise<InternalAxiosRequestConfig>;
    tokenCache<T>(
      getToken: () => Promise<T>,
      options: { getMaxAge?: (token: T) => number; maxAge?: number },
    ): TokenCache<T>;
  }
  const tokenProvider: TokenProviderFactory;
  export default tokenProvider;
}
