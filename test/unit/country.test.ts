import { describe, expect, it } from 'vitest';
import { ADDRESS_BLOCKS, blockSize, countryOfIcao24 } from '../../src/domain/country.ts';

describe('Function: countryOfIcao24', () => {
  it.each([
    // Addresses of aircraft in OpenSky's recording, with the origin_country it reported.
    ['a00196', 'United States'],
    ['3c0ac5', 'Germany'],
    ['48412b', 'Kingdom of the Netherlands'],
    ['14062a', 'Russian Federation'],
    ['718a72', 'Republic of Korea'],
    ['7335a4', 'Islamic Republic of Iran'],
    ['88803e', 'Viet Nam'],
    ['01d790', 'Libyan Arab Jamahiriya'],
    ['504e27', 'Republic of Moldova'],
    ['89900f', 'Taiwan'],
    ['4c01e5', 'Serbia'],
    ['49d01a', 'Czech Republic'],
    ['6010ab', 'Kyrgyzstan'],
  ])('%s → %s', (icao24, country) => {
    expect(countryOfIcao24(icao24)).toBe(country);
  });

  it('covers a block from its first to its last address, and nothing past either end', () => {
    expect(countryOfIcao24('a00000')).toBe('United States');
    expect(countryOfIcao24('afffff')).toBe('United States');
    expect(countryOfIcao24('b00000')).toBeUndefined();
    expect(countryOfIcao24('400000')).toBe('United Kingdom');
    expect(countryOfIcao24('43ffff')).toBe('United Kingdom');
    expect(countryOfIcao24('440000')).toBe('Austria');
    // 14-bit blocks: Albania 501000–5013ff, then a gap up to Croatia at 501c00.
    expect(countryOfIcao24('5013ff')).toBe('Albania');
    expect(countryOfIcao24('501400')).toBeUndefined();
    expect(countryOfIcao24('501bff')).toBeUndefined();
    expect(countryOfIcao24('501c00')).toBe('Croatia');
    expect(countryOfIcao24('8993ff')).toBe('Taiwan');
    expect(countryOfIcao24('899400')).toBeUndefined();
  });

  it('gives no country outside the States’ blocks: below the first, ICAO’s own blocks, the top', () => {
    expect(countryOfIcao24('000000')).toBeUndefined();
    expect(countryOfIcao24('003fff')).toBeUndefined();
    expect(countryOfIcao24('f00000')).toBeUndefined(); // ICAO temporary addresses
    expect(countryOfIcao24('ffffff')).toBeUndefined();
  });

  it('reads either case, and rejects what is not six hex digits (readsb non-ICAO ~ addresses included)', () => {
    expect(countryOfIcao24('A0B1C2')).toBe('United States');
    expect(countryOfIcao24('~a0b1c2')).toBeUndefined();
    expect(countryOfIcao24('a0b1c')).toBeUndefined();
    expect(countryOfIcao24('a0b1c2d')).toBeUndefined();
    expect(countryOfIcao24('a0b1cg')).toBeUndefined();
    expect(countryOfIcao24('')).toBeUndefined();
    expect(countryOfIcao24(undefined as unknown as string)).toBeUndefined();
  });
});

describe('the allocation table', () => {
  it('holds blocks aligned to their size (a fixed prefix), in order, never overlapping', () => {
    let end = 0;
    for (const [first, bits, country] of ADDRESS_BLOCKS) {
      const label = `${first.toString(16)}/${bits} ${country}`;
      expect(first % blockSize(bits), label).toBe(0);
      expect(first, label).toBeGreaterThanOrEqual(end);
      end = first + blockSize(bits);
    }
    expect(end).toBeLessThanOrEqual(0x1000000);
  });

  it('names each country once', () => {
    const names = ADDRESS_BLOCKS.map(([, , country]) => country);
    expect(new Set(names).size).toBe(names.length);
  });
});
