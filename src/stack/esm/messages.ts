/**
 * What the router and a mapping's worker process say to each other over the
 * IPC channel of `child_process.fork`.
 */
import type { EsmConfiguration } from './shapes.ts';

/** Router → worker. */
export type ToWorker =
  | {
      type: 'start';
      configuration: EsmConfiguration;
      /** This stack's AWS endpoint: Invoke, CloudWatch and Secrets Manager go through it. */
      endpoint: string;
      region: string;
      metricsIntervalMs: number;
    }
  /** Stop gracefully: what completed is committed, then the worker exits. */
  | { type: 'stop' };

/** Worker → router. */
export type FromWorker =
  /** The poller has started (joined the consumer group). */
  | { type: 'running' }
  /** A new `LastProcessingResult`. */
  | { type: 'result'; result: string }
  /** The poller stopped after a `stop`; the worker exits next. */
  | { type: 'stopped' }
  /** The poller failed in a way a restart may fix; the worker exits next. */
  | { type: 'failed'; error: string };
