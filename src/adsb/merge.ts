/**
 * Merging the answers of overlapping radius queries into one snapshot: one
 * state vector per aircraft (the newest position wins), only those inside the
 * bounding box (the circles reach beyond it; OpenSky's box is exact) or radius.
 *
 * @module
 */
import type { StateVector } from '../domain/types.ts';
import type { BoundingBox } from '../opensky/credits.ts';
import { inBoundingBox, inPointArea, type PointArea } from './tiling.ts';

/** The merged vectors, and what was left out. */
export interface MergedStates {
  states: StateVector[];
  /** Copies of an aircraft already seen in another circle. */
  duplicates: number;
  /** Aircraft outside the box, or without a position. */
  outside: number;
}

/** True when `a` is newer than `b`: a later position, then a later contact. */
function newer(a: StateVector, b: StateVector): boolean {
  const pa = a.time_position ?? Number.NEGATIVE_INFINITY;
  const pb = b.time_position ?? Number.NEGATIVE_INFINITY;
  return pa !== pb ? pa > pb : a.last_contact > b.last_contact;
}

/** Merge the vectors of several queries: deduplicated by `icao24`, filtered to the area (a box or a radius). */
export function mergeStates(
  lists: readonly (readonly StateVector[])[],
  area: BoundingBox | PointArea,
): MergedStates {
  const inside =
    'radiusNm' in area
      ? (lat: number, lon: number) => inPointArea(area, lat, lon)
      : (lat: number, lon: number) => inBoundingBox(area, lat, lon);
  const byAircraft = new Map<string, StateVector>();
  let duplicates = 0;
  let outside = 0;
  for (const list of lists) {
    for (const sv of list) {
      if (sv.latitude === null || sv.longitude === null || !inside(sv.latitude, sv.longitude)) {
        outside++;
        continue;
      }
      const seen = byAircraft.get(sv.icao24);
      if (seen) {
        duplicates++;
        if (!newer(sv, seen)) continue;
      }
      byAircraft.set(sv.icao24, sv);
    }
  }
  return { states: [...byAircraft.values()], duplicates, outside };
}
