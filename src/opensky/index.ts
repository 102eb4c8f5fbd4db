export { loadOpenSkyCredentials, OPENSKY_TOKEN_URL, type OpenSkyCredentials, TokenProvider } from './auth.ts';
export {
  type BoundingBox,
  boxArea,
  budgetLastsMs,
  type CreditTier,
  CreditTiers,
  creditCost,
  pacedIntervalMs,
  periodRemainingMs,
  validateBoundingBox,
} from './credits.ts';
export {
  defaultOpenSkySourceOptions,
  type OpenSkySourceOptions,
  type ResolvedOpenSkySourceOptions,
  resolveOpenSkySourceOptions,
} from './options.ts';
export { type ReplayOptions, type ReplayStats, recordingLine, replaySnapshots } from './replay.ts';
export {
  OpenSkySource,
  type OpenSkySourceStats,
  type Snapshot,
} from './source.ts';
