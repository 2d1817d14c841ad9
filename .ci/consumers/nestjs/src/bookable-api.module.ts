import { HttpService } from '@nestjs/axios';
import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
} from '@nestjs/common';
import axios from 'axios';
import { attachBookableAuth, type BookableAuthOptions } from 'bookable-axios-auth';

/** Where the API is, and how to get its tokens (client credentials, or a shared provider). */
export type BookableApiOptions = BookableAuthOptions & { baseURL: string };

export interface BookableApiAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...deps: any[]) => BookableApiOptions | Promise<BookableApiOptions>;
}

/**
 * Provides an HttpService whose axios instance (`axiosRef`) carries a Bookable access token on
 * every request: import it where you inject HttpService to call the API.
 */
@Module({})
export class BookableApiModule {
  static register(options: BookableApiOptions): DynamicModule {
    return BookableApiModule.registerAsync({ useFactory: () => options });
  }

  static registerAsync(options: BookableApiAsyncOptions): DynamicModule {
    return {
      module: BookableApiModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: HttpService,
          inject: options.inject ?? [],
          useFactory: async (...deps: unknown[]) => {
            const { baseURL, ...auth } = await options.useFactory(...deps);
            const instance = axios.create({ baseURL });
            attachBookableAuth(instance, auth);
            return new HttpService(instance);
          },
        },
      ],
      exports: [HttpService],
    };
  }
}
