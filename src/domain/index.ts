/**
 * The domain model: OpenSky state vectors (raw arrays and named objects),
 * the flight records the pipeline publishes, and the parsing and validation
 * of `/states/all` bodies. The source, the sink and the transform build on it.
 *
 * @module
 */
export { countryOfIcao24 } from './country.ts';
export {
  type Checked,
  checkStateVector,
  type InvalidReason,
  type ParsedStates,
  parseStatesResponse,
  type SkippedRow,
  stateVectorFromArray,
  stateVectorToArray,
  toStateVectorMessage,
} from './state-vector.ts';
export {
  type FlightRecord,
  type RawStateVector,
  STATE_VECTOR_FIELDS,
  type StatesResponse,
  type StateVector,
  type StateVectorField,
  type StateVectorMessage,
} from './types.ts';
