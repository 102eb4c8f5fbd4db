export {
  type Checked,
  checkStateVector,
  checkStateVectorArray,
  type InvalidReason,
  type ParsedStates,
  parseStatesResponse,
  type SkippedRow,
  stateVectorFromArray,
  stateVectorToArray,
  toStateVectorMessage,
} from '../domain/state-vector.ts';
export {
  altitudeMetres,
  type TransformResult,
  toIsoSeconds,
  transformStateVector,
  tryTransformStateVector,
} from './transform.ts';
