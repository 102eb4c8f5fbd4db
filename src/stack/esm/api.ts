/**
 * Lambda's event source mapping API (2015-03-31) on the local endpoint, for
 * self-managed Apache Kafka sources — which moto refuses ("Missing
 * EventSourceArn"). Each enabled mapping runs the project's poller,
 * LambdaInvoker, in a worker process (service.ts, supervisor.ts, worker.ts).
 *
 *   POST   /2015-03-31/event-source-mappings/         CreateEventSourceMapping  202
 *   GET    /2015-03-31/event-source-mappings/         ListEventSourceMappings   200
 *   GET    /2015-03-31/event-source-mappings/{UUID}   GetEventSourceMapping     200
 *   PUT    /2015-03-31/event-source-mappings/{UUID}   UpdateEventSourceMapping  202
 *   DELETE /2015-03-31/event-source-mappings/{UUID}   DeleteEventSourceMapping  202
 *
 * Other sources stay with moto: a Create without `SelfManagedEventSource`
 * (SQS, Kinesis, DynamoDB ARNs) and a UUID this service does not know are
 * passed through; List answers both sets. An MSK cluster ARN is refused:
 * there is no MSK locally (use `SelfManagedEventSource` with the local broker).
 *
 * Where AWS documents nothing, the choices made here:
 * - `StartingPosition` defaults to `TRIM_HORIZON` (the API requires it only for
 *   Kinesis and DynamoDB; the earliest position loses nothing).
 * - `MaximumBatchingWindowInSeconds` is omitted from the answer until set: Kafka's
 *   default window is 500 ms, which the integer field cannot express.
 * - `MaximumRetryAttempts` and `MaximumRecordAgeInSeconds` are returned as given, or
 *   -1; with an on-failure destination and no `MaximumRetryAttempts` the poller stops
 *   after 10 retries, as AWS documents for Kafka's stream mode.
 * - `SelfManagedKafkaEventSourceConfig.ConsumerGroupId` defaults to the mapping's UUID
 *   and is always returned.
 * - Without `ProvisionedPollerConfig`, 3 partitions are processed at once (AWS scales its
 *   pollers itself); with it, up to `MaximumPollers` (default 200).
 * - Two mappings of one function, topic and set of brokers are a conflict (409), like
 *   AWS's duplicate-mapping answer for other sources; so is a consumer group another
 *   mapping uses (AWS: it "must be unique among all your Kafka event sources").
 * - Failures of the poller itself (broker unreachable, topic missing) end a transitional
 *   state (the mapping is `Enabled`) and show in `LastProcessingResult` as
 *   `PROBLEM: <reason>`; the worker is restarted with backoff.
 * - Updating is refused (ResourceInUseException) in every transitional state; deleting
 *   while `Updating` or `Deleting`.
 * - List pages: `Marker` is an opaque offset; at most 100 per page, as AWS.
 * - `FilterCriteria`, `MetricsConfig`, `FunctionResponseTypes` and SQS/SNS
 *   on-failure destinations are checked, stored and returned; the poller applies
 *   them as far as it supports them (see invoker-options.ts).
 * - `SourceAccessConfigurations`: BASIC_AUTH (SASL/PLAIN), SASL_SCRAM_256/512_AUTH,
 *   SERVER_ROOT_CA_CERTIFICATE and CLIENT_CERTIFICATE_TLS_AUTH are read from Secrets
 *   Manager (moto) when the worker starts; VPC entries are stored and ignored; OAuth and
 *   IAM types are refused.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFunctionRef } from '../endpoint/protocol.ts';
import type { EventSourceMappingService } from './service.ts';
import { EsmApiError, type EsmConfiguration, errorBody } from './shapes.ts';

const COLLECTION = /^\/2015-03-31\/event-source-mappings\/?$/;
const ITEM = /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/;
/** Most mappings in one List answer, as AWS. */
const PAGE_LIMIT = 100;

/** An answer from moto. */
export interface MotoAnswer {
  status: number;
  body: Buffer;
}

/** What the API needs from the router besides the service. */
export interface EsmApiDeps {
  service: EventSourceMappingService;
  /** Pass the request (whose body was read: `body`) to moto and stream its answer back. */
  forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<unknown>;
  /** A call of the router's own to moto (List merges moto's mappings). */
  askMoto(method: string, path: string, authorization?: string): Promise<MotoAnswer>;
  readBody(req: IncomingMessage): Promise<Buffer>;
}

/** True when `path` belongs to the event source mapping API. */
export const isEsmPath = (path: string): boolean => COLLECTION.test(path) || ITEM.test(path);

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

function sendError(res: ServerResponse, error: EsmApiError): void {
  const body = errorBody(error.type, error.message);
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-errortype': error.type,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new EsmApiError(
      400,
      'InvalidRequestContentException',
      `Could not parse request body into json: ${(error as Error).message}`,
    );
  }
}

/** MSK cluster ARNs: not available locally. */
const MSK_ARN = /^arn:aws[a-zA-Z-]*:kafka:/;

/**
 * Serve an event source mapping request (call only when {@link isEsmPath}).
 * Resolves once answered; errors of the API are answered, others rejected.
 */
export async function handleEsmRequest(
  deps: EsmApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const body = await deps.readBody(req);
  try {
    if (COLLECTION.test(url.pathname)) {
      if (req.method === 'POST') await create(deps, req, res, body);
      else if (req.method === 'GET') await list(deps, req, res, url, body);
      else await deps.forward(req, res, body);
      return;
    }
    const uuid = decodeURIComponent(ITEM.exec(url.pathname)?.[1] ?? '');
    if (!deps.service.has(uuid)) {
      await deps.forward(req, res, body);
      return;
    }
    if (req.method === 'GET') send(res, 200, deps.service.get(uuid));
    else if (req.method === 'PUT') send(res, 202, await deps.service.update(uuid, parseJson(body)));
    else if (req.method === 'DELETE') send(res, 202, deps.service.delete(uuid));
    else await deps.forward(req, res, body);
  } catch (error) {
    if (!(error instanceof EsmApiError)) throw error;
    sendError(res, error);
  }
}

async function create(
  deps: EsmApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const request = parseJson(body) as Record<string, unknown> | null;
  const arn = request?.EventSourceArn;
  if (typeof arn === 'string' && MSK_ARN.test(arn)) {
    throw new EsmApiError(
      400,
      'InvalidParameterValueException',
      `Amazon MSK event sources are not available on the local stack (${arn}); use SelfManagedEventSource with the local Kafka broker's KAFKA_BOOTSTRAP_SERVERS instead`,
    );
  }
  if (request?.SelfManagedEventSource === undefined || request.SelfManagedEventSource === null) {
    await deps.forward(req, res, body);
    return;
  }
  if (arn !== undefined && arn !== null)
    throw new EsmApiError(
      400,
      'InvalidParameterValueException',
      'EventSourceArn and SelfManagedEventSource cannot be given together',
    );
  send(res, 202, await deps.service.create(request));
}

/** Offsets as List markers: opaque to clients, as AWS's are. */
const encodeMarker = (offset: number) => Buffer.from(`esm:${offset}`).toString('base64url');
function decodeMarker(marker: string | null): number {
  if (!marker) return 0;
  const match = /^esm:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!match) throw new EsmApiError(400, 'InvalidParameterValueException', 'Invalid Marker');
  return Number(match[1]);
}

async function list(
  deps: EsmApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  const query = url.searchParams;
  // Self-managed mappings have no EventSourceArn: a list by ARN is moto's alone.
  if (query.get('EventSourceArn')) {
    await deps.forward(req, res, body);
    return;
  }
  const functionName = query.get('FunctionName');
  const ours = deps.service.list(
    functionName ? parseFunctionRef(encodeURIComponent(functionName)) : undefined,
  );
  const theirs = await motoMappings(deps, functionName, req.headers.authorization);
  const all: unknown[] = [...ours, ...theirs];
  const rawMax = query.get('MaxItems');
  const max = rawMax === null ? PAGE_LIMIT : Number(rawMax);
  if (!Number.isInteger(max) || max < 1 || max > 10_000)
    throw new EsmApiError(
      400,
      'ValidationException',
      `1 validation error detected: Value '${rawMax}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`,
    );
  const from = decodeMarker(query.get('Marker'));
  const page = all.slice(from, from + Math.min(max, PAGE_LIMIT));
  const next = from + page.length;
  send(res, 200, {
    EventSourceMappings: page,
    ...(next < all.length ? { NextMarker: encodeMarker(next) } : {}),
  });
}

/** moto's mappings (SQS, Kinesis, DynamoDB sources), all pages; none when moto does not answer. */
async function motoMappings(
  deps: EsmApiDeps,
  functionName: string | null,
  authorization: string | undefined,
): Promise<EsmConfiguration[]> {
  const found: EsmConfiguration[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const query = new URLSearchParams();
    if (functionName) query.set('FunctionName', functionName);
    if (marker) query.set('Marker', marker);
    const path = `/2015-03-31/event-source-mappings/${query.size ? `?${query}` : ''}`;
    const answer = await deps.askMoto('GET', path, authorization).catch(() => undefined);
    if (answer?.status !== 200) return found;
    const parsed = JSON.parse(answer.body.toString('utf8')) as {
      EventSourceMappings?: EsmConfiguration[];
      NextMarker?: string;
    };
    found.push(...(parsed.EventSourceMappings ?? []));
    if (!parsed.NextMarker || parsed.NextMarker === marker) return found;
    marker = parsed.NextMarker;
  }
  return found;
}
