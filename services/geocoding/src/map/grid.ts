/**
 * Zoom levels whose clusters come from the pre-aggregated grid (map_grid, migrations
 * 1797200000000 and 1797300000000, which must agree with this); above it, pins are shown alone.
 */
export const GRID_MAX_ZOOM = 16;
/** A grid cell is a Web Mercator tile of zoom + GRID_CELL_SHIFT: 64 px at 256 px tiles. */
export const GRID_CELL_SHIFT = 2;
/** A view with more single-pin cells than this keeps them as clusters of one rather than read them. */
export const MAX_SINGLE_PINS = 2000;
