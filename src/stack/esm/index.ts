/**
 * Event source mappings on the local stack: the one entry the router uses
 * (src/stack/endpoint/router.ts). See api.ts for the API and the choices made
 * where AWS is silent, service.ts for the mappings' lifecycle.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionRef } from '../endpoint/protocol.ts';
import { type EsmApiDeps, handleEsmRequest, isEsmPath } from './api.ts';
import { esmOptionsFromEnv } from './options.ts';
import { EventSourceMappingService } from './service.ts';
import { workerEntry } from './supervisor.ts';

/** What the router gives the event source mappings. */
export interface EventSourceMappingsDeps extends Omit<EsmApiDeps, 'service'> {
  runDir: string;
  region: string;
  accountId: string;
  /** The router's own address, `http://host:port`. */
  endpoint: string;
  /** The router's `import.meta.url`: the worker's entry is found beside it. */
  routerUrl: string;
  functionExists(name: string): boolean;
  functionResolves(ref: FunctionRef): Promise<boolean>;
  log(message: string, fields?: Record<string, unknown>): void;
  env?: NodeJS.ProcessEnv;
}

/** The router's handle on the event source mappings. */
export interface EventSourceMappings {
  /** True when the request is for the event source mapping API. */
  owns(path: string): boolean;
  /** Serve a request {@link owns} accepted. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Stop the workers gracefully (they commit what completed). */
  close(): Promise<void>;
}

/** Load the saved mappings, start the enabled ones, and serve the API. */
export function startEventSourceMappings(deps: EventSourceMappingsDeps): EventSourceMappings {
  const service = new EventSourceMappingService({
    runDir: deps.runDir,
    region: deps.region,
    accountId: deps.accountId,
    endpoint: deps.endpoint,
    workerEntry: workerEntry(deps.routerUrl),
    options: esmOptionsFromEnv(deps.env),
    functionExists: deps.functionExists,
    functionResolves: deps.functionResolves,
    log: deps.log,
  });
  service.open();
  const api: EsmApiDeps = {
    service,
    forward: deps.forward,
    askMoto: deps.askMoto,
    readBody: deps.readBody,
  };
  return {
    owns: isEsmPath,
    handle: (req, res, url) => handleEsmRequest(api, req, res, url),
    close: () => service.close(),
  };
}
