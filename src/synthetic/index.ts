export {
  generateSnapshot,
  generateTraffic,
  type RawStatesBody,
  type SyntheticOptions,
  syntheticSnapshots,
} from './generator.ts';
