import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createGridFunctions } from './1797200000000-map-grid';

/**
 * The grid up to zoom 16 (MAP_CLUSTER_MAX_ZOOM's default) instead of 12: a zoom-13 view of a
 * dense city read ~10,000 pins to cluster them, 1 s at p95 on 1,000,000 customers (npm run
 * bench:map); from the grid it reads the cells in view. Rebuilt once from the tables.
 */
export class MapGridHighZoom1797300000000 implements MigrationInterface {
  name = 'MapGridHighZoom1797300000000';

  async up(q: QueryRunner): Promise<void> {
    await createGridFunctions(q, 16);
    await q.query(`SELECT map_grid_rebuild()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await createGridFunctions(q, 12);
    await q.query(`SELECT map_grid_rebuild()`);
  }
}
