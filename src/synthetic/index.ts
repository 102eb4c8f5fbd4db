export { generateSnapshot, generateTraffic, type RawStatesBody, type SyntheticOptions } from './generator.ts';
