import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';

@Injectable()
export class VenuesService {
  constructor(private readonly http: HttpService) {}

  /** Through the axios instance itself. */
  async getVenue(id: string): Promise<{ status: number; path: string }> {
    const response = await this.http.axiosRef.get<{ path: string }>(`/venues/${id}`);
    return { status: response.status, path: response.data.path };
  }

  /** Through HttpService's Observable API, which uses the same instance. */
  async listVenues(): Promise<number> {
    const response = await firstValueFrom(this.http.get('/venues'));
    return response.status;
  }
}
