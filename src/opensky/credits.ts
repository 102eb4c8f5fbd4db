/**
 * OpenSky's API credits: what a `/states/all` query costs, what each account
 * tier gets, and how to pace polling so the credits last the period.
 *
 * @module
 */
import { ConfigError } from '../errors.ts';

/** A geographic bounding box in WGS-84 degrees. */
export interface BoundingBox {
  /** Lower latitude, −90…90. */
  lamin: number;
  /** Lower longitude, −180…180. */
  lomin: number;
  /** Upper latitude, −90…90. */
  lamax: number;
  /** Upper longitude, −180…180. */
  lomax: number;
}

/** OpenSky account tiers and their credit allowance. */
export const CreditTiers = {
  anonymous: { credits: 400, periodMs: 86_400_000 },
  standard: { credits: 4000, periodMs: 86_400_000 },
  feeder: { credits: 8000, periodMs: 86_400_000 },
  licensed: { credits: 14_400, periodMs: 3_600_000 },
} as const;

export type CreditTier = keyof typeof CreditTiers;

/** Throws {@link ConfigError} unless `bbox` is a valid box. */
export function validateBoundingBox(bbox: BoundingBox, path = '/options/bbox'): void {
  const { lamin, lomin, lamax, lomax } = bbox;
  for (const [key, value, limit] of [
    ['lamin', lamin, 90],
    ['lamax', lamax, 90],
    ['lomin', lomin, 180],
    ['lomax', lomax, 180],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
      throw new ConfigError(`${path}/${key}`, `must be a number from -${limit} to ${limit}`);
    }
  }
  if (lamin >= lamax) throw new ConfigError(`${path}/lamin`, 'must be below lamax');
  if (lomin >= lomax) {
    throw new ConfigError(
      `${path}/lomin`,
      'must be below lomax (a box across ±180° needs two sources, one each side)',
    );
  }
}

/** Area of a box in square degrees (latitude range × longitude range). */
export function boxArea(bbox: BoundingBox): number {
  return (bbox.lamax - bbox.lamin) * (bbox.lomax - bbox.lomin);
}

/**
 * Credits one `/states/all` call costs: 1 for a box up to 25 sq°, 2 up to 100,
 * 3 up to 400, 4 above that or without a box (the whole world).
 */
export function creditCost(bbox?: BoundingBox): number {
  if (!bbox) return 4;
  const area = boxArea(bbox);
  if (area <= 25) return 1;
  if (area <= 100) return 2;
  if (area <= 400) return 3;
  return 4;
}

/** Milliseconds until the tier's credit period ends (UTC midnight for daily tiers, the hour for licensed). */
export function periodRemainingMs(tier: CreditTier, now: number = Date.now()): number {
  const { periodMs } = CreditTiers[tier];
  return periodMs - (now % periodMs);
}

/**
 * The polling interval that spends `remainingCredits` evenly over what is left
 * of the period, never faster than `minIntervalMs`.
 */
export function pacedIntervalMs(options: {
  minIntervalMs: number;
  cost: number;
  remainingCredits: number;
  remainingMs: number;
}): number {
  const { minIntervalMs, cost, remainingCredits, remainingMs } = options;
  if (remainingCredits <= 0) return Math.max(minIntervalMs, remainingMs);
  const calls = Math.floor(remainingCredits / cost);
  if (calls <= 0) return Math.max(minIntervalMs, remainingMs);
  return Math.max(minIntervalMs, Math.ceil(remainingMs / calls));
}

/** How long the tier's full allowance lasts polling every `intervalMs` at `cost` credits per call. */
export function budgetLastsMs(tier: CreditTier, intervalMs: number, cost: number): number {
  const calls = Math.floor(CreditTiers[tier].credits / cost);
  return calls * intervalMs;
}
