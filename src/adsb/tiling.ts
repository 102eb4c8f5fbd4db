/**
 * Covering a bounding box with radius queries: the community APIs answer
 * "aircraft within R nautical miles of a point" (R ≤ 250 nm), so a box becomes
 * a grid of cells, each inside the circle one query covers.
 *
 * @module
 */
import type { BoundingBox } from '../opensky/credits.ts';

/** One radius query. */
export interface Circle {
  lat: number;
  lon: number;
  /** Whole nautical miles, at most the provider's limit. */
  radiusNm: number;
}

/** Mean Earth radius in nautical miles (6,371.0088 km / 1.852 km). */
export const EARTH_RADIUS_NM = 6371.0088 / 1.852;

const rad = (deg: number): number => (deg * Math.PI) / 180;

/** Great-circle distance between two points, nautical miles (haversine). */
export function distanceNm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_NM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The smallest whole radius around a cell's centre that reaches its whole
 * boundary (corners and edge points sampled: a cell's edges of constant
 * latitude bulge poleward of its corners on the sphere).
 */
function cellRadiusNm(lamin: number, lomin: number, lamax: number, lomax: number): number {
  const lat = (lamin + lamax) / 2;
  const lon = (lomin + lomax) / 2;
  let far = 0;
  const steps = 8;
  for (let i = 0; i <= steps; i++) {
    const x = lomin + ((lomax - lomin) * i) / steps;
    const y = lamin + ((lamax - lamin) * i) / steps;
    far = Math.max(
      far,
      distanceNm(lat, lon, lamin, x),
      distanceNm(lat, lon, lamax, x),
      distanceNm(lat, lon, y, lomin),
      distanceNm(lat, lon, y, lomax),
    );
  }
  return Math.ceil(far + 0.5); // half a mile spare for the rounding of the coordinates in the URL
}

/**
 * Circles of at most `maxRadiusNm` that together cover `bbox`: rows of equal
 * height, each split into as few equal cells as keep every cell within one
 * circle (fewer towards the poles, where a degree of longitude is shorter).
 * A box that fits in one circle is one query.
 */
export function coverBoundingBox(bbox: BoundingBox, maxRadiusNm = 250): Circle[] {
  // A square cell of side R·√2 fits a circle of radius R; aim a little below to leave room
  // for the sphere's curvature, then split further wherever a cell still does not fit.
  const sideNm = maxRadiusNm * Math.SQRT2 * 0.95;
  const rows = Math.max(1, Math.ceil(((bbox.lamax - bbox.lamin) * 60) / sideNm));
  const height = (bbox.lamax - bbox.lamin) / rows;
  const circles: Circle[] = [];
  for (let r = 0; r < rows; r++) {
    const lamin = bbox.lamin + r * height;
    const lamax = r === rows - 1 ? bbox.lamax : lamin + height;
    // The row is widest (in nm per degree of longitude) at its latitude nearest the equator.
    const widest = lamin <= 0 && lamax >= 0 ? 0 : Math.min(Math.abs(lamin), Math.abs(lamax));
    const widthNm = (bbox.lomax - bbox.lomin) * 60 * Math.cos(rad(widest));
    let cols = Math.max(1, Math.ceil(widthNm / sideNm));
    for (;;) {
      const width = (bbox.lomax - bbox.lomin) / cols;
      const cells = Array.from({ length: cols }, (_, c) => {
        const lomin = bbox.lomin + c * width;
        const lomax = c === cols - 1 ? bbox.lomax : lomin + width;
        return {
          lat: (lamin + lamax) / 2,
          lon: (lomin + lomax) / 2,
          radiusNm: cellRadiusNm(lamin, lomin, lamax, lomax),
        };
      });
      if (cells.every((cell) => cell.radiusNm <= maxRadiusNm)) {
        circles.push(...cells);
        break;
      }
      cols++;
    }
  }
  return circles;
}

/** True when (lat, lon) lies inside the box, edges included. */
export const inBoundingBox = (bbox: BoundingBox, lat: number, lon: number): boolean =>
  lat >= bbox.lamin && lat <= bbox.lamax && lon >= bbox.lomin && lon <= bbox.lomax;

/** A radius around a point: `--point LAT,LON,RADIUS_NM`. */
export interface PointArea {
  lat: number;
  lon: number;
  /** Nautical miles. */
  radiusNm: number;
}

/** The smallest latitude/longitude box around a circle (clamped at the poles and the antimeridian). */
export function boxAroundPoint(point: PointArea): BoundingBox {
  const dLat = point.radiusNm / 60;
  const cos = Math.cos(rad(Math.min(89.9, Math.abs(point.lat) + dLat)));
  const dLon = Math.min(180, point.radiusNm / (60 * Math.max(cos, 1e-6)));
  return {
    lamin: Math.max(-90, point.lat - dLat),
    lomin: Math.max(-180, point.lon - dLon),
    lamax: Math.min(90, point.lat + dLat),
    lomax: Math.min(180, point.lon + dLon),
  };
}

/**
 * The radius queries of a point area: the point itself when its radius is within the
 * provider's limit (whole miles, rounded up), else the circles that cover its box.
 */
export function coverPoint(point: PointArea, maxRadiusNm = 250): Circle[] {
  if (point.radiusNm <= maxRadiusNm)
    return [{ lat: point.lat, lon: point.lon, radiusNm: Math.max(1, Math.ceil(point.radiusNm)) }];
  return coverBoundingBox(boxAroundPoint(point), maxRadiusNm);
}

/** True when (lat, lon) lies within the point's radius. */
export const inPointArea = (point: PointArea, lat: number, lon: number): boolean =>
  distanceNm(point.lat, point.lon, lat, lon) <= point.radiusNm;
