import { Counter, Gauge, register, type Metric } from 'prom-client';

// In prom-client's default registry, which /metrics serves; reused when a spec loads the module twice.
function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const gridDirtyCustomers = metric(
  'duemap_map_grid_dirty_customers',
  () =>
    new Gauge({
      name: 'duemap_map_grid_dirty_customers',
      help: 'Customers whose pin or balances changed and the map grid does not count yet (at the last sample)',
    }),
);

export const gridLagSeconds = metric(
  'duemap_map_grid_lag_seconds',
  () =>
    new Gauge({
      name: 'duemap_map_grid_lag_seconds',
      help: 'How long the oldest change the map grid does not count yet has waited, 0 when none (at the last sample)',
    }),
);

export const gridDrainedCustomers = metric(
  'duemap_map_grid_drained_customers_total',
  () =>
    new Counter({
      name: 'duemap_map_grid_drained_customers_total',
      help: 'Customers the grid drainer applied to the map grid and roll-ups',
    }),
);

export const gridDrainErrors = metric(
  'duemap_map_grid_drain_errors_total',
  () =>
    new Counter({ name: 'duemap_map_grid_drain_errors_total', help: 'Map grid drain batches that failed' }),
);
