import { Module } from '@nestjs/common';
import { BookableApiModule } from './bookable-api.module';
import { VenuesService } from './venues.service';

@Module({
  imports: [
    BookableApiModule.registerAsync({
      useFactory: () => ({
        baseURL: process.env.BOOKABLE_API_URL ?? 'https://api.bookabletech.com',
        clientId: process.env.BOOKABLE_CLIENT_ID ?? '',
        clientSecret: process.env.BOOKABLE_CLIENT_SECRET ?? '',
      }),
    }),
  ],
  providers: [VenuesService],
})
export class AppModule {}
