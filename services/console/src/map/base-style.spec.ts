import { baseStyle } from './base-style';

const empty = { type: 'FeatureCollection' as const, features: [] };

describe('the base map style', () => {
  it('draws from the shipped boundaries only: no tile, glyph or sprite URL', () => {
    const style = baseStyle({ countries: empty, provinces: empty, tileUrl: null, tileAttribution: null });
    expect(Object.keys(style.sources).sort()).toEqual(['countries', 'provinces']);
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(style.layers.map((l) => l.id)).toEqual(['sea', 'land', 'country-lines', 'province-lines']);
    expect(style.layers.some((l) => l.type === 'symbol')).toBe(false);
  });

  it('puts configured raster tiles under the boundaries and makes the land transparent', () => {
    const style = baseStyle({
      countries: empty,
      provinces: null,
      tileUrl: 'https://tiles.example.com/{z}/{x}/{y}.png',
      tileAttribution: '© Example',
    });
    expect(style.sources.tiles).toEqual({
      type: 'raster',
      tiles: ['https://tiles.example.com/{z}/{x}/{y}.png'],
      tileSize: 256,
      attribution: '© Example',
    });
    expect(style.layers.map((l) => l.id)).toEqual(['sea', 'tiles', 'land', 'country-lines']);
    const land = style.layers.find((l) => l.id === 'land') as { paint: Record<string, unknown> };
    expect(land.paint['fill-opacity']).toBe(0);
  });
});
