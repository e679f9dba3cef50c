import { osaDistance, TypoIndex } from './typo-index';

const chars = (text: string): string[] => [...text];

describe('osaDistance', () => {
  it.each([
    ['london', 'london', 0],
    ['londn', 'london', 1],
    ['pari', 'paris', 1],
    ['mnachester', 'manchester', 1],
    ['barcelna', 'barcelona', 1],
    ['frankfrutammian', 'frankfurtammain', 2],
    ['kitten', 'sitting', 3],
  ])('%s -> %s: %i', (a, b, distance) => {
    expect(osaDistance(chars(a), chars(b))).toBe(distance);
  });

  it('gives up past the bound', () => {
    expect(osaDistance(chars('asdfgh'), chars('london'), 2)).toBe(3);
  });
});

describe('TypoIndex', () => {
  const names: Record<string, string[]> = {
    GB: ['london', 'londonderry', 'manchester', 'leeds', 'bath'],
    FR: ['paris', 'marseille', 'lyon'],
  };
  const index = new TypoIndex((country) => names[country] ?? []);

  it('finds names within one edit, closest first', () => {
    expect(index.near('GB', 'londn')).toEqual([{ name: 'london', distance: 1 }]);
    expect(index.near('GB', 'manchseter')).toEqual([{ name: 'manchester', distance: 1 }]);
  });

  it('allows two edits from 8 letters on', () => {
    expect(index.near('FR', 'marsielle')).toEqual([{ name: 'marseille', distance: 1 }]);
    expect(index.near('FR', 'marsiele')).toEqual([{ name: 'marseille', distance: 2 }]);
  });

  it('keeps to the country, and leaves short or far names alone', () => {
    expect(index.near('FR', 'londn')).toEqual([]);
    expect(index.near('GB', 'bth')).toEqual([]);
    expect(index.near('GB', 'qwerty')).toEqual([]);
    expect(index.near('XX', 'london')).toEqual([]);
  });
});
