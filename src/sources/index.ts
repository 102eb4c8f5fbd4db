export {
  FailoverSource,
  type FailoverSourceStats,
  type FailoverSwitch,
  type SourcedSnapshot,
} from './failover.ts';
export {
  type CandidatePoller,
  defaultFailoverSourceOptions,
  type FailoverCandidate,
  type FailoverSourceOptions,
} from './failover-options.ts';
export type { SwitchReason } from './health.ts';
export { type StandbyRole, StandbySource, type StandbySourceStats } from './standby.ts';
export { defaultStandbySourceOptions, type StandbySourceOptions } from './standby-options.ts';
