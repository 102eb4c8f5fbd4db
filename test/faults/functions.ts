/**
 * Functions that misbehave on cue, for the fault scenarios: the reference
 * handler (`createFlightHandler`) behind a wrapper that throws, times out or
 * holds its answer, as a scenario asks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/package-root.ts';
import { deployTestFunction, type TestFunction } from '../support/lambda-fixtures.ts';

const repoRoot = packageRoot();

const handlerModule = join(repoRoot, 'src', 'handler', 'handler.ts');

/**
 * The reference handler (`createFlightHandler`) behind a fault: the first FAULT_COUNT
 * invocations, counted across every execution environment by claiming token files in
 * FAULT_DIR, throw (FAULT_MODE=throw) or sleep past the function's timeout
 * (FAULT_MODE=timeout) before processing anything; every other invocation is the reference's,
 * which answers AFTER_MS after it published.
 */
const faultyHandler = `
import { closeSync, openSync } from 'node:fs';
import { createFlightHandler } from ${JSON.stringify(handlerModule)};
const reference = createFlightHandler();
function claimFault() {
  for (let i = 0; i < Number(process.env.FAULT_COUNT ?? 0); i++) {
    try {
      closeSync(openSync(process.env.FAULT_DIR + '/fault-' + i, 'wx'));
      return true;
    } catch {}
  }
  return false;
}
export const handler = async (event) => {
  if (claimFault()) {
    if (process.env.FAULT_MODE === 'timeout') await new Promise((resolve) => setTimeout(resolve, 600_000));
    throw new Error('injected fault: this invocation fails before processing');
  }
  const result = await reference(event);
  // AFTER_MS: hold the answer after publishing, so a bridge killed now is mid-batch.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.AFTER_MS ?? 0)));
  return result;
};`;

/** Deploy {@link faultyHandler} as `name`, publishing to `topicArn`. */
export async function faultyFunction(
  name: string,
  topicArn: string,
  options: {
    mode?: 'throw' | 'timeout';
    /** Invocations that fail. @default 0 */
    faults?: number;
    /** The function's timeout, seconds. @default 10 */
    timeout?: number;
    afterMs?: number;
    /** The AWS endpoint the function is deployed to. @default the stack's */
    endpoint?: string;
    /**
     * More environment variables, e.g. `AWS_ENDPOINT_URL`: the function's own variables win
     * over what the router gives it, so it can publish to SNS on another endpoint.
     */
    env?: Record<string, string>;
  },
): Promise<TestFunction> {
  const dir = mkdtempSync(join(tmpdir(), 'oss-faults-'));
  const fn = await deployTestFunction(name, faultyHandler, {
    env: {
      SNS_TOPIC_ARN: topicArn,
      FAULT_DIR: dir,
      FAULT_MODE: options.mode ?? 'throw',
      FAULT_COUNT: String(options.faults ?? 0),
      AFTER_MS: String(options.afterMs ?? 0),
      ...options.env,
    },
    timeout: options.timeout ?? 10,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  return {
    ...fn,
    async dispose() {
      await fn.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
