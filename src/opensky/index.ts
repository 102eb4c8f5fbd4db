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
export { type ReplayOptions, type ReplayStats, recordingLine, replaySnapshots } from './replay.ts';
export {
  OpenSkySource,
  type OpenSkySourceOptions,
  type OpenSkySourceStats,
  type Snapshot,
} from './source.ts';
