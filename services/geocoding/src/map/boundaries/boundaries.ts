import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json';
import worldCountries from 'world-countries';
import chinaCities from './data/china-cities.json';
import chinaProvinces from './data/china-provinces.json';

export const BOUNDARY_LEVELS = ['country', 'province', 'city'] as const;
export type BoundaryLevel = (typeof BOUNDARY_LEVELS)[number];

/** Regions whose provinces and cities are shipped. */
export const PROVINCE_REGIONS = ['CN'] as const;

export interface BoundaryProperties {
  /** The roll-up key of GET /api/v1/map/regions at the same level ("CN", "CN-30", "CN-30/Shenzhen"), to join on. */
  key: string;
  name: string;
  /** GB/T 2260 code of a Chinese province or city. */
  code?: string;
}

export type Boundaries = FeatureCollection<Polygon | MultiPolygon, BoundaryProperties> & {
  level: BoundaryLevel;
  source: string;
};

const alpha2ByNumeric = new Map(worldCountries.map((c) => [c.ccn3, c.cca2]));

function countries(): Boundaries {
  const topology = countries110m as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const all = feature(topology, topology.objects.countries);
  const features: Feature<Polygon | MultiPolygon, BoundaryProperties>[] = [];
  for (const f of all.features) {
    // Natural Earth keys countries by ISO 3166-1 numeric; a few disputed areas have none.
    const key = alpha2ByNumeric.get(String(f.id ?? ''));
    if (!key || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) continue;
    features.push({
      type: 'Feature',
      id: key,
      properties: { key, name: f.properties.name },
      geometry: f.geometry,
    });
  }
  return {
    type: 'FeatureCollection',
    level: 'country',
    source: 'Natural Earth 1:110m countries (public domain) from world-atlas 2.0.2; WGS-84.',
    features,
  };
}

/** China's provinces or prefecture-level cities, as built by tools/build-map-boundaries.ts. */
function china(level: 'province' | 'city', json: unknown): Boundaries {
  const data = json as FeatureCollection<MultiPolygon, BoundaryProperties & { code: string }> & {
    source: string;
  };
  return {
    type: 'FeatureCollection',
    level,
    source: data.source,
    features: data.features.map((f) => ({
      type: 'Feature',
      id: f.properties.key,
      properties: { key: f.properties.key, name: f.properties.name, code: f.properties.code },
      geometry: f.geometry,
    })),
  };
}

const cache = new Map<string, Boundaries>();

/**
 * Polygons for a choropleth, simplified for the screen (countries at 1:110m, China provinces as
 * echarts ships them, ~0.001 degree, its cities to ~1 km): built once per process from shipped
 * data, never fetched.
 */
export function boundaries(level: BoundaryLevel): Boundaries {
  let found = cache.get(level);
  if (!found) {
    found =
      level === 'country'
        ? countries()
        : level === 'province'
          ? china('province', chinaProvinces)
          : china('city', chinaCities);
    cache.set(level, found);
  }
  return found;
}
