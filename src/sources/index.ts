export {
  type CandidateStats,
  FailoverSource,
  type FailoverSourceEvents,
  type FailoverSourceStats,
  type FailoverSwitch,
  type SourcedSnapshot,
} from './failover.ts';
export {
  type CandidateHealthStats,
  type CandidatePoller,
  defaultFailoverSourceOptions,
  type FailoverCandidate,
  type FailoverSourceOptions,
} from './failover-options.ts';
export type { SwitchReason } from './health.ts';
export {
  type StandbyRole,
  StandbySource,
  type StandbySourceEvents,
  type StandbySourceStats,
} from './standby.ts';
export { defaultStandbySourceOptions, type StandbySourceOptions } from './standby-options.ts';
