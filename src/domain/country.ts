/**
 * The country of an ICAO 24-bit aircraft address, as OpenSky reports it in
 * `origin_country`.
 *
 * ICAO allocates the 24-bit address space in blocks, one per State of
 * Registry (Annex 10, Volume III, Part I, Appendix to Chapter 9, Table 9-1).
 * Each block is fixed by its first 4, 6, 9, 12 or 14 bits, so a block is its
 * first address plus the length of that prefix: 4 bits give 1,048,576
 * addresses (the United States, the Russian Federation), 14 bits give 1,024.
 * Blocks never overlap. The names are the ones OpenSky puts in
 * `origin_country` (they follow ICAO's table: "Russian Federation",
 * "Republic of Korea", "Viet Nam", "Kingdom of the Netherlands"…); names of
 * States with no aircraft in the recordings we measured against follow the
 * same style (see `npm run bench -- country` for the agreement).
 *
 * @module
 */

/** One block: its first address, the length of its fixed prefix in bits, the country. */
export type AddressBlock = readonly [first: number, prefixBits: 4 | 6 | 9 | 12 | 14, country: string];

/**
 * The blocks, ordered by address; written out from the allocation table by
 * prefix, not copied from a data file. Internal (tests check its shape).
 */
export const ADDRESS_BLOCKS: readonly AddressBlock[] = [
  [0x004000, 14, 'Zimbabwe'],
  [0x006000, 12, 'Mozambique'],
  [0x008000, 9, 'South Africa'],
  [0x010000, 9, 'Egypt'],
  [0x018000, 9, 'Libyan Arab Jamahiriya'],
  [0x020000, 9, 'Morocco'],
  [0x028000, 9, 'Tunisia'],
  [0x030000, 14, 'Botswana'],
  [0x032000, 12, 'Burundi'],
  [0x034000, 12, 'Cameroon'],
  [0x035000, 14, 'Comoros'],
  [0x036000, 12, 'Congo'],
  [0x038000, 12, "Côte d'Ivoire"],
  [0x03e000, 12, 'Gabon'],
  [0x040000, 12, 'Ethiopia'],
  [0x042000, 12, 'Equatorial Guinea'],
  [0x044000, 12, 'Ghana'],
  [0x046000, 12, 'Guinea'],
  [0x048000, 14, 'Guinea-Bissau'],
  [0x04a000, 14, 'Lesotho'],
  [0x04c000, 12, 'Kenya'],
  [0x050000, 12, 'Liberia'],
  [0x054000, 12, 'Madagascar'],
  [0x058000, 12, 'Malawi'],
  [0x05a000, 14, 'Maldives'],
  [0x05c000, 12, 'Mali'],
  [0x05e000, 14, 'Mauritania'],
  [0x060000, 14, 'Mauritius'],
  [0x062000, 12, 'Niger'],
  [0x064000, 12, 'Nigeria'],
  [0x068000, 12, 'Uganda'],
  [0x06a000, 14, 'Qatar'],
  [0x06c000, 12, 'Central African Republic'],
  [0x06e000, 12, 'Rwanda'],
  [0x070000, 12, 'Senegal'],
  [0x074000, 14, 'Seychelles'],
  [0x076000, 14, 'Sierra Leone'],
  [0x078000, 12, 'Somalia'],
  [0x07a000, 14, 'Swaziland'],
  [0x07c000, 12, 'Sudan'],
  [0x080000, 12, 'United Republic of Tanzania'],
  [0x084000, 12, 'Chad'],
  [0x088000, 12, 'Togo'],
  [0x08a000, 12, 'Zambia'],
  [0x08c000, 12, 'Democratic Republic of the Congo'],
  [0x090000, 12, 'Angola'],
  [0x094000, 14, 'Benin'],
  [0x096000, 14, 'Cape Verde'],
  [0x098000, 14, 'Djibouti'],
  [0x09a000, 12, 'Gambia'],
  [0x09c000, 12, 'Burkina Faso'],
  [0x09e000, 14, 'Sao Tome and Principe'],
  [0x0a0000, 9, 'Algeria'],
  [0x0a8000, 12, 'Bahamas'],
  [0x0aa000, 14, 'Barbados'],
  [0x0ab000, 14, 'Belize'],
  [0x0ac000, 12, 'Colombia'],
  [0x0ae000, 12, 'Costa Rica'],
  [0x0b0000, 12, 'Cuba'],
  [0x0b2000, 12, 'El Salvador'],
  [0x0b4000, 12, 'Guatemala'],
  [0x0b6000, 12, 'Guyana'],
  [0x0b8000, 12, 'Haiti'],
  [0x0ba000, 12, 'Honduras'],
  [0x0bc000, 14, 'Saint Vincent and the Grenadines'],
  [0x0be000, 12, 'Jamaica'],
  [0x0c0000, 12, 'Nicaragua'],
  [0x0c2000, 12, 'Panama'],
  [0x0c4000, 12, 'Dominican Republic'],
  [0x0c6000, 12, 'Trinidad and Tobago'],
  [0x0c8000, 12, 'Suriname'],
  [0x0ca000, 14, 'Antigua and Barbuda'],
  [0x0cc000, 14, 'Grenada'],
  [0x0d0000, 9, 'Mexico'],
  [0x0d8000, 9, 'Venezuela'],
  [0x100000, 4, 'Russian Federation'],
  [0x201000, 14, 'Namibia'],
  [0x202000, 14, 'Eritrea'],
  [0x300000, 6, 'Italy'],
  [0x340000, 6, 'Spain'],
  [0x380000, 6, 'France'],
  [0x3c0000, 6, 'Germany'],
  [0x400000, 6, 'United Kingdom'],
  [0x440000, 9, 'Austria'],
  [0x448000, 9, 'Belgium'],
  [0x450000, 9, 'Bulgaria'],
  [0x458000, 9, 'Denmark'],
  [0x460000, 9, 'Finland'],
  [0x468000, 9, 'Greece'],
  [0x470000, 9, 'Hungary'],
  [0x478000, 9, 'Norway'],
  [0x480000, 9, 'Kingdom of the Netherlands'],
  [0x488000, 9, 'Poland'],
  [0x490000, 9, 'Portugal'],
  [0x498000, 9, 'Czech Republic'],
  [0x4a0000, 9, 'Romania'],
  [0x4a8000, 9, 'Sweden'],
  [0x4b0000, 9, 'Switzerland'],
  [0x4b8000, 9, 'Turkey'],
  // Allocated to Yugoslavia; OpenSky names it Serbia.
  [0x4c0000, 9, 'Serbia'],
  [0x4c8000, 14, 'Cyprus'],
  [0x4ca000, 12, 'Ireland'],
  [0x4cc000, 12, 'Iceland'],
  [0x4d0000, 14, 'Luxembourg'],
  [0x4d2000, 14, 'Malta'],
  [0x4d4000, 14, 'Monaco'],
  [0x500000, 14, 'San Marino'],
  [0x501000, 14, 'Albania'],
  [0x501c00, 14, 'Croatia'],
  [0x502c00, 14, 'Latvia'],
  [0x503c00, 14, 'Lithuania'],
  [0x504c00, 14, 'Republic of Moldova'],
  [0x505c00, 14, 'Slovakia'],
  [0x506c00, 14, 'Slovenia'],
  [0x507c00, 14, 'Uzbekistan'],
  [0x508000, 9, 'Ukraine'],
  [0x510000, 14, 'Belarus'],
  [0x511000, 14, 'Estonia'],
  [0x512000, 14, 'The former Yugoslav Republic of Macedonia'],
  [0x513000, 14, 'Bosnia and Herzegovina'],
  [0x514000, 14, 'Georgia'],
  [0x515000, 14, 'Tajikistan'],
  [0x516000, 14, 'Montenegro'],
  [0x600000, 14, 'Armenia'],
  [0x600800, 14, 'Azerbaijan'],
  [0x601000, 14, 'Kyrgyzstan'],
  [0x601800, 14, 'Turkmenistan'],
  [0x680000, 14, 'Bhutan'],
  [0x681000, 14, 'Micronesia, Federated States of'],
  [0x682000, 14, 'Mongolia'],
  [0x683000, 14, 'Kazakhstan'],
  [0x684000, 14, 'Palau'],
  [0x700000, 12, 'Afghanistan'],
  [0x702000, 12, 'Bangladesh'],
  [0x704000, 12, 'Myanmar'],
  [0x706000, 12, 'Kuwait'],
  [0x708000, 12, "Lao People's Democratic Republic"],
  [0x70a000, 12, 'Nepal'],
  [0x70c000, 14, 'Oman'],
  [0x70e000, 12, 'Cambodia'],
  [0x710000, 9, 'Saudi Arabia'],
  [0x718000, 9, 'Republic of Korea'],
  [0x720000, 9, "Democratic People's Republic of Korea"],
  [0x728000, 9, 'Iraq'],
  [0x730000, 9, 'Islamic Republic of Iran'],
  [0x738000, 9, 'Israel'],
  [0x740000, 9, 'Jordan'],
  [0x748000, 9, 'Lebanon'],
  [0x750000, 9, 'Malaysia'],
  [0x758000, 9, 'Philippines'],
  [0x760000, 9, 'Pakistan'],
  [0x768000, 9, 'Singapore'],
  [0x770000, 9, 'Sri Lanka'],
  [0x778000, 9, 'Syrian Arab Republic'],
  [0x780000, 6, 'China'],
  [0x7c0000, 6, 'Australia'],
  [0x800000, 6, 'India'],
  [0x840000, 6, 'Japan'],
  [0x880000, 9, 'Thailand'],
  [0x888000, 9, 'Viet Nam'],
  [0x890000, 12, 'Yemen'],
  [0x894000, 12, 'Bahrain'],
  [0x895000, 14, 'Brunei Darussalam'],
  [0x896000, 12, 'United Arab Emirates'],
  [0x897000, 14, 'Solomon Islands'],
  [0x898000, 12, 'Papua New Guinea'],
  // Not a State of Table 9-1, but a block in use that OpenSky names Taiwan.
  [0x899000, 14, 'Taiwan'],
  [0x8a0000, 9, 'Indonesia'],
  [0x900000, 14, 'Marshall Islands'],
  [0x901000, 14, 'Cook Islands'],
  [0x902000, 14, 'Samoa'],
  [0xa00000, 4, 'United States'],
  [0xc00000, 6, 'Canada'],
  [0xc80000, 9, 'New Zealand'],
  [0xc88000, 12, 'Fiji'],
  [0xc8a000, 14, 'Nauru'],
  [0xc8c000, 14, 'Saint Lucia'],
  [0xc8d000, 14, 'Tonga'],
  [0xc8e000, 14, 'Kiribati'],
  [0xc90000, 14, 'Vanuatu'],
  [0xe00000, 6, 'Argentina'],
  [0xe40000, 6, 'Brazil'],
  [0xe80000, 12, 'Chile'],
  [0xe84000, 12, 'Ecuador'],
  [0xe88000, 12, 'Paraguay'],
  [0xe8c000, 12, 'Peru'],
  [0xe90000, 12, 'Uruguay'],
  [0xe94000, 12, 'Bolivia'],
];

const FIRSTS = ADDRESS_BLOCKS.map(([first]) => first);
/** How many addresses a block with a prefix of `bits` holds. */
export const blockSize = (bits: number): number => 2 ** (24 - bits);

/**
 * The country an ICAO 24-bit address was allocated to, with the name OpenSky
 * uses in `origin_country`; `undefined` for an address outside every State's
 * block (unallocated, ICAO's own temporary or special-use blocks) and for
 * anything that is not six hex digits (e.g. readsb's `~`-prefixed non-ICAO
 * addresses).
 *
 * @example
 * ```ts
 * countryOfIcao24('3c6444'); // 'Germany'
 * countryOfIcao24('A0B1C2'); // 'United States' (case does not matter)
 * countryOfIcao24('~2a1b3c'); // undefined: not an ICAO address
 * ```
 */
export function countryOfIcao24(icao24: string): string | undefined {
  if (typeof icao24 !== 'string' || !/^[0-9a-fA-F]{6}$/.test(icao24)) return undefined;
  const address = Number.parseInt(icao24, 16);
  // The last block starting at or below the address, by binary search.
  let low = 0;
  let high = FIRSTS.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((FIRSTS[middle] as number) <= address) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const block = ADDRESS_BLOCKS[found];
  if (!block) return undefined;
  const [first, bits, country] = block;
  return address < first + blockSize(bits) ? country : undefined;
}
