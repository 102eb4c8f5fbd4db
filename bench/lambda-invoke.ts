/**
 * Lambda Invoke on the local stack: cold start (first Invoke after new
 * configuration, so RIE and the runtime client start), warm latency
 * (sequential Invokes of a trivial handler), and the memory of moto, the
 * router and one execution environment (RIE + runtime client).
 *   npm run bench -- lambda-invoke
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { runningPid, stackConfig } from '../src/stack/lib.ts';
import { treeRssKiB } from '../src/stack/stack.ts';
import { fmt, localStack, percentile, unique } from './_util.ts';

const { aws } = await localStack();
const cfg = stackConfig();
const lambda = new LambdaClient(aws);
const iam = new IAMClient(aws);
const RoleName = 'opensky-stream-bench-role';
const role = await iam
  .send(new GetRoleCommand({ RoleName }))
  .then((r) => r.Role!.Arn!)
  .catch(async () => {
    const created = await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: '{}' }));
    return created.Role!.Arn!;
  });
const FunctionName = unique('bench-invoke');
const source = 'export const handler = async (event) => ({ ok: true, n: event.n });';
await lambda.send(
  new CreateFunctionCommand({
    FunctionName,
    Runtime: 'nodejs22.x',
    Role: role,
    Handler: 'index.handler',
    Code: { ZipFile: zipSync({ 'index.mjs': new TextEncoder().encode(source) }) },
    MemorySize: 128,
    Timeout: 10,
  }),
);

async function invoke(n: number): Promise<number> {
  const started = performance.now();
  const answer = await lambda.send(new InvokeCommand({ FunctionName, Payload: JSON.stringify({ n }) }));
  const ms = performance.now() - started;
  if (answer.FunctionError) throw new Error(Buffer.from(answer.Payload ?? []).toString());
  return ms;
}

/** RSS (KiB) of the execution environment(s) running this function: RIE and its runtime child. */
function environmentRssKiB(routerPid: number): number[] {
  const sizes: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== routerPid) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(`AWS_LAMBDA_FUNCTION_NAME=${FunctionName}\0`))
        sizes.push(treeRssKiB(Number(entry)));
    } catch {
      // gone, or not ours to read
    }
  }
  return sizes;
}

try {
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    // New configuration retires the warm environments: the next Invoke is a cold start.
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName,
        Environment: { Variables: { ROUND: String(i) } },
      }),
    );
    cold.push(await invoke(i));
  }
  for (let i = 0; i < 20; i++) await invoke(i); // warm-up
  const warm: number[] = [];
  for (let i = 0; i < 300; i++) warm.push(await invoke(i));
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (done < 400) {
        done++;
        await invoke(done);
      }
    }),
  );
  const perSecond = 400 / ((performance.now() - started) / 1000);

  const health = (await (await fetch(`${aws.endpoint}/_stack/health`)).json()) as { runtimeClient?: string };
  console.log(`runtime client: ${health.runtimeClient ?? 'unknown'}`);
  console.log(
    `cold start (first Invoke, new environment): median ${fmt(percentile(cold, 50))} ms, max ${fmt(Math.max(...cold))} ms (${cold.length} runs)`,
  );
  console.log(
    `warm Invoke (sequential, SDK round trip): p50 ${fmt(percentile(warm, 50), 1)} ms, p95 ${fmt(percentile(warm, 95), 1)} ms, p99 ${fmt(percentile(warm, 99), 1)} ms`,
  );
  console.log(
    `warm Invoke, 4 callers (pool of ${process.env.LAMBDA_MAX_CONCURRENCY ?? 2}): ${fmt(perSecond)} invocations/s`,
  );
  const routerPid = runningPid(cfg, 'lambda');
  const motoPid = runningPid(cfg, 'aws');
  if (routerPid !== undefined) {
    const own = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${routerPid}/status`, 'utf8'))?.[1] ?? 0);
    const envs = environmentRssKiB(routerPid);
    console.log(
      `memory: router ${fmt(own / 1024)} MiB, one environment (RIE + runtime client) ${envs.map((k) => `${fmt(k / 1024)} MiB`).join(' / ')}` +
        (motoPid === undefined ? '' : `, moto ${fmt(treeRssKiB(motoPid) / 1024)} MiB`),
    );
  } else {
    console.log('memory: the stack was not started by this checkout (no pid files), not measured');
  }
} finally {
  await lambda.send(new DeleteFunctionCommand({ FunctionName }));
}
