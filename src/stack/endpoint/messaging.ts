/**
 * SNS and SQS served inside the endpoint by fauxqs (npm), loaded from the
 * cache where the launcher installed it, with SNS's own CloudWatch metrics
 * (AWS/SNS, sns-metrics.ts) recorded from its stores and sent to moto.
 * fauxqs delivers about 12x as fast as moto's SNS→SQS fan-out
 * (`npm run bench -- aws-endpoints`); running in this process, a
 * notification costs no extra hop. Both use account 000000000000, so ARNs agree.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { patchFauxqsPublishBatch } from './fauxqs-batch.ts';
import type { EndpointLog } from './log.ts';
import { credentialScope, type MotoClient } from './moto.ts';
import { type FauxqsFilters, type FauxqsStores, SnsMetrics } from './sns-metrics.ts';

/** What serves SNS and SQS here: fauxqs's Fastify app. */
export interface Messaging {
  routing(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<unknown>;
}

/** fauxqs and the SNS metrics recorded from it. */
export interface LoadedMessaging {
  messaging: Messaging;
  snsMetrics: SnsMetrics;
}

/** Load fauxqs from its module entry `entry` (its dist/app.js) and build its app for `region`. */
export async function loadMessaging(
  entry: string,
  region: string,
  moto: MotoClient,
  log: EndpointLog,
): Promise<LoadedMessaging> {
  const module = (path: string) => import(pathToFileURL(join(dirname(entry), path)).href);
  // PublishBatch's entries in one pass instead of fauxqs's quadratic scan (see the module).
  const batchPatched = patchFauxqsPublishBatch(join(dirname(entry), 'sns', 'actions', 'publish.js'));
  const fauxqs = (await module('app.js')) as {
    buildApp(options: {
      logger: boolean;
      defaultRegion: string;
      stores: { sqsStore: unknown; snsStore: unknown; s3Store: unknown };
    }): Messaging & { ready(): Promise<unknown> };
  };
  const { SqsStore } = (await module('sqs/sqsStore.js')) as { SqsStore: new () => { host: string } };
  const { SnsStore } = (await module('sns/snsStore.js')) as { SnsStore: new () => unknown };
  const { S3Store } = (await module('s3/s3Store.js')) as { S3Store: new () => unknown };
  const filters = (await module('sns/filter.js')) as FauxqsFilters;
  const sqsStore = new SqsStore();
  // Queue URLs name the endpoint the client called (http://127.0.0.1:4566/000000000000/q), as moto's
  // did, instead of fauxqs's default sqs.<region>.localhost, which not every resolver knows.
  sqsStore.host = '';
  const snsStore = new SnsStore() as FauxqsStores['snsStore'] & { spy?: unknown };
  const snsMetrics = new SnsMetrics(
    {
      put: async (metricsRegion, body) => {
        const answer = await moto.ask('POST', '/', credentialScope(metricsRegion, 'monitoring'), body);
        if (answer.status !== 200) throw new Error(`moto answered ${answer.status}: ${answer.body}`);
      },
      log,
    },
    region,
  );
  snsStore.spy = snsMetrics.spy(
    { snsStore, sqsStore: sqsStore as unknown as FauxqsStores['sqsStore'] },
    filters,
  );
  const app = fauxqs.buildApp({
    logger: false,
    defaultRegion: region,
    stores: { sqsStore, snsStore, s3Store: new S3Store() },
  });
  await app.ready();
  if (!batchPatched())
    log(
      'fauxqs PublishBatch left as it is: its parseBatchEntries not found, or no module.registerHooks (Node < 22.15)',
      {
        entry,
      },
    );
  return { messaging: app, snsMetrics };
}
