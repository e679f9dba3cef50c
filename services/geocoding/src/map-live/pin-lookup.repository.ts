import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CUSTOMER_PLACEMENTS_TABLE } from '@duemap/auth';
import type { DataSource } from 'typeorm';
import type { PinStatus } from '../map/customer-pin.entity';
import type { PinRow } from './pin-change';

interface Row {
  customer_id: string;
  status: PinStatus;
  status_version: string;
  latitude: number | null;
  longitude: number | null;
  country: string | null;
  province_key: string | null;
  sales_territory: string | null;
}

/**
 * Reads the pins of changed customers, by primary key, with the placement the territory check
 * needs: what the stream sends is what geocoding's projection committed, so the map the console
 * asks for next agrees with it.
 */
@Injectable()
export class PinLookupRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(customerIds: readonly string[]): Promise<PinRow[]> {
    if (customerIds.length === 0) return [];
    const rows = await this.dataSource.query<Row[]>(
      `SELECT p.customer_id, p.status, p.status_version, p.latitude, p.longitude,
              cp.country, cp.province_key, cp.sales_territory
         FROM customer_pins p
         LEFT JOIN ${CUSTOMER_PLACEMENTS_TABLE} cp ON cp.customer_id = lower(p.customer_id)
        WHERE p.customer_id = ANY($1::text[])`,
      [customerIds],
    );
    return rows.map((r) => ({
      customerId: r.customer_id,
      status: r.status,
      statusVersion: BigInt(r.status_version),
      lat: r.latitude,
      lng: r.longitude,
      country: r.country ?? '',
      provinceKey: r.province_key ?? '',
      salesTerritory: r.sales_territory ?? '',
    }));
  }
}
