export { type MergedStates, mergeStates } from './merge.ts';
export { type AdsbApiSourceOptions, defaultAdsbApiSourceOptions } from './options.ts';
export {
  ADSB_PROVIDER_NAMES,
  ADSB_PROVIDERS,
  type AdsbProvider,
  type AdsbProviderName,
} from './providers.ts';
export { AdsbApiSource, type AdsbApiSourceStats } from './source.ts';
export {
  boxAroundPoint,
  type Circle,
  coverBoundingBox,
  coverPoint,
  distanceNm,
  type PointArea,
} from './tiling.ts';
