import type { StyleSpecification } from 'maplibre-gl';
import type { Boundaries } from '../api/types';

export interface BaseMapInput {
  countries: Boundaries;
  provinces: Boundaries | null;
  /** An XYZ raster tile URL ({z}/{x}/{y}) of a deployment that has a tile server; null: boundaries only. */
  tileUrl: string | null;
  tileAttribution: string | null;
}

export const BASE_COLOURS = {
  sea: '#dbe7f0',
  land: '#f6f3ec',
  countryLine: '#9aa5ad',
  provinceLine: '#b9c2c8',
} as const;

/**
 * The base map, built in code from the boundaries the geocoding service ships (world countries,
 * China's provinces): no tiles, glyphs or sprites are fetched, so it draws offline. With a tile URL
 * configured, its raster tiles go underneath and the land is left transparent over them.
 * No symbol layers: labels would need glyphs from a server; pins and groups are HTML markers.
 */
export function baseStyle(input: BaseMapInput): StyleSpecification {
  const tiles = input.tileUrl !== null;
  const style: StyleSpecification = {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: input.countries as never },
    },
    layers: [{ id: 'sea', type: 'background', paint: { 'background-color': BASE_COLOURS.sea } }],
  };
  if (input.tileUrl !== null) {
    style.sources.tiles = {
      type: 'raster',
      tiles: [input.tileUrl],
      tileSize: 256,
      ...(input.tileAttribution ? { attribution: input.tileAttribution } : {}),
    };
    style.layers.push({ id: 'tiles', type: 'raster', source: 'tiles' });
  }
  style.layers.push(
    {
      id: 'land',
      type: 'fill',
      source: 'countries',
      paint: { 'fill-color': BASE_COLOURS.land, 'fill-opacity': tiles ? 0 : 1 },
    },
    {
      id: 'country-lines',
      type: 'line',
      source: 'countries',
      paint: { 'line-color': BASE_COLOURS.countryLine, 'line-width': 0.8 },
    },
  );
  if (input.provinces) {
    style.sources.provinces = { type: 'geojson', data: input.provinces as never };
    style.layers.push({
      id: 'province-lines',
      type: 'line',
      source: 'provinces',
      minzoom: 2.5,
      paint: { 'line-color': BASE_COLOURS.provinceLine, 'line-width': 0.6, 'line-dasharray': [3, 2] },
    });
  }
  return style;
}
