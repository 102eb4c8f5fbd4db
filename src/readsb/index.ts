export type { ResolvedRetryOptions, RetryOptions } from '../util/retry.ts';
export {
  type AircraftConversion,
  aircraftToStateVector,
  categoryOfEmitter,
  METRES_PER_FOOT,
  METRES_PER_SECOND_PER_FPM,
  METRES_PER_SECOND_PER_KNOT,
} from './aircraft.ts';
export { parseReadsbBody, type ReadsbStates } from './body.ts';
export { defaultReadsbSourceOptions, type ReadsbSourceOptions } from './options.ts';
export { ReadsbSource } from './source.ts';
export type { ReadsbSourceStats } from './stats.ts';
