import { stackConfig } from '../../src/stack/lib.ts';
import { stackUp } from '../../src/stack/stack.ts';

/**
 * Integration tests run against the real native stack. Reuse a running one, or
 * start it; if it cannot start, the whole integration project fails with the
 * reason (no silent skip). The stack is left running for the next run;
 * `npm run stack:down` stops it (the README's test command does).
 */
export default async function setup(): Promise<void> {
  const cfg = stackConfig();
  await stackUp(cfg);
  process.env.KAFKA_BROKERS ??= `${cfg.host}:${cfg.kafkaPort}`;
  process.env.AWS_ENDPOINT_URL ??= `http://${cfg.host}:${cfg.awsPort}`;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
}
