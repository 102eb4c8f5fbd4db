/**
 * Your own function, end to end as shipped, on the local stack: `init lambda` →
 * the project's own `npm run typecheck` and `npm run deploy` (its tsconfig, its
 * esbuild bundle, `opensky-stream deploy --code dist`) against this checkout built
 * as the installed package → `invoke --sample 5` → `logs` → `deploy` without
 * --code refused (code unchanged) → `destroy --yes` leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type SdkClientConfig, SignedHttpClient } from '../../src/aws/signed-http.ts';
import { buildPackage, linkInto } from '../support/built-package.ts';
import { runCli } from '../support/cli.ts';
import { awsClientConfig, cliEnv, pipelineNames } from '../support/env.ts';
import { startMotoProxy } from '../support/moto-proxy.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'oss-own-function-'));
const names = pipelineNames('own');
const lambda = new LambdaClient(awsClientConfig());
const sns = new SNSClient(awsClientConfig());
const cli = (args: string[]) => runCli([...args, '--function-name', names.fn], cliEnv(), 60_000);
const json = <T>(text: string) => JSON.parse(text) as T;

/** `npm run <script>` in the generated project, with the project's Node and the stack's environment. */
async function npmRun(script: string, env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', script], {
      cwd: dir,
      env: {
        PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
        HOME: process.env.HOME,
        ...env,
      },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** The generated handler with a field of your own, wrapped so its answer and log say who answered. */
const NOTIFICATION = 'export type Notification = FlightRecord & { flight_level: number };';
const TRANSFORM_RETURN = `const record = result.record;
  return record && keep(record) ? { ...record, flight_level: Math.round(record.altitude_feet / 100) } : null;`;
const WRAPPED = `
const inner = createFlightHandler({ transform });
export const handler = async (event: Parameters<typeof inner>[0]) => {
  const result = await inner(event);
  console.log('my-flight-processor handled', result.summary.records);
  return { ...result, processedBy: 'my-flight-processor' };
};
`;

describe('CLI: your own function, from init lambda to destroy', () => {
  let topicArn = '';
  let codeSha256 = '';
  let requestId = '';

  afterAll(async () => {
    // Whatever a failed step left: destroy is the code under test, so its own run cleans up too.
    await cli(['destroy', '--topic-name', names.snsTopic, '--yes']);
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    // This checkout as the package the project depends on (built apart from its own dist/).
    linkInto(dir, await buildPackage('own-function-package'));
  }, 120_000);

  it('init lambda: a project pinned to this version, whose typecheck passes with a field of its own', async () => {
    const init = await runCli(['init', 'lambda', dir], {}, 20_000);
    expect(init.code, init.stderr).toBe(0);
    const manifest = json<{ dependencies: Record<string, string> }>(
      readFileSync(join(dir, 'package.json'), 'utf8'),
    );
    const { version } = json<{ version: string }>(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.dependencies['opensky-stream']).toBe(version);

    const source = join(dir, 'handler.ts');
    const text = readFileSync(source, 'utf8');
    for (const line of [
      'export type Notification = FlightRecord;',
      'return result.record && keep(result.record) ? result.record : null;',
      'export const handler = createFlightHandler({ transform });',
    ])
      expect(text).toContain(line);
    writeFileSync(
      source,
      text
        .replace('export type Notification = FlightRecord;', NOTIFICATION)
        .replace('return result.record && keep(result.record) ? result.record : null;', TRANSFORM_RETURN)
        .replace('export const handler = createFlightHandler({ transform });', WRAPPED),
    );
    const typecheck = await npmRun('typecheck');
    expect(typecheck.code, typecheck.stdout + typecheck.stderr).toBe(0);

    // The same project with the field's type wrong: tsc (and so the build) refuses it.
    const wrong = readFileSync(source, 'utf8');
    writeFileSync(source, wrong.replace('flight_level: Math.round(', 'flight_level: String('));
    const refused = await npmRun('build');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/TS2322.*not assignable to type 'number'/);
    writeFileSync(source, wrong);
  }, 120_000);

  it('npm run deploy: builds and deploys --code dist; the function runs your code', async () => {
    const deployed = await npmRun('deploy', {
      ...cliEnv(),
      LAMBDA_FUNCTION_NAME: names.fn,
      SNS_TOPIC_NAME: names.snsTopic,
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    const result = json<{
      function: string;
      code: string;
      handler: string;
      topicArn: string;
      codeSha256: string;
    }>(deployed.stdout);
    expect(result).toMatchObject({ function: 'created', code: 'custom', handler: 'index.handler' });
    topicArn = result.topicArn;
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: names.fn }));
    codeSha256 = fn.Configuration!.CodeSha256!;
    expect(codeSha256).toBe(result.codeSha256);
    expect(fn.Tags?.['opensky-stream:code']).toBe('custom');

    // One sns:Publish statement lists the topic (however many pipelines share the role).
    const { PolicyDocument } = await new IAMClient(awsClientConfig()).send(
      new GetRolePolicyCommand({ RoleName: 'opensky-stream-lambda', PolicyName: 'opensky-stream-publish' }),
    );
    const statements = json<{ Statement: Array<{ Action: string[]; Resource: string | string[] }> }>(
      decodeURIComponent(PolicyDocument!),
    ).Statement.filter((s) => [s.Action].flat().includes('sns:Publish'));
    expect(statements).toHaveLength(1);
    expect([statements[0]!.Resource].flat()).toContain(topicArn);
  }, 120_000);

  it("npm run invoke (invoke --sample 5) prints your handler's answer and its log, exit 0", async () => {
    const invoked = await npmRun('invoke', { ...cliEnv(), LAMBDA_FUNCTION_NAME: names.fn });
    expect(invoked.code, invoked.stderr).toBe(0);
    const answer = json<{ processedBy: string; batchItemFailures: unknown[]; summary: { records: number } }>(
      invoked.stdout,
    );
    expect(answer).toMatchObject({
      processedBy: 'my-flight-processor',
      batchItemFailures: [],
      summary: { records: 5 },
    });
    expect(invoked.stderr).toContain('my-flight-processor handled 5');
    requestId = /START RequestId: ([0-9a-f-]+)/.exec(invoked.stderr)?.[1] ?? '';
    expect(requestId).not.toBe('');
  }, 60_000);

  it('logs shows that invocation', async () => {
    const logs = await cli(['logs', '--since', '5m']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain(`START RequestId: ${requestId}`);
    expect(logs.stdout).toContain('my-flight-processor handled 5');
  }, 60_000);

  it("logs reads CloudWatch Logs where no local stack answers (moto's own endpoint, as AWS)", async () => {
    // moto holds the control plane, so the function is there too; its log group gets two events.
    const proxy = await startMotoProxy();
    onTestFinished(() => proxy.close());
    const moto = proxy.url;
    const logs = new SignedHttpClient(
      new LambdaClient({ ...awsClientConfig(), endpoint: moto }).config as unknown as SdkClientConfig,
      'logs',
    );
    const call = (action: string, body: object) =>
      logs.post(JSON.stringify(body), {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `Logs_20140328.${action}`,
      });
    const logGroupName = `/aws/lambda/${names.fn}`;
    await call('CreateLogGroup', { logGroupName });
    await call('CreateLogStream', { logGroupName, logStreamName: 's1' });
    const now = Date.now();
    const put = await call('PutLogEvents', {
      logGroupName,
      logStreamName: 's1',
      logEvents: [
        { timestamp: now - 3_600_000, message: 'an hour ago' },
        { timestamp: now - 1000, message: 'just now from CloudWatch' },
      ],
    });
    logs.destroy();
    expect(put.status, put.body).toBe(200);
    const read = await runCli(['logs', '--function-name', names.fn, '--since', '10m'], {
      ...cliEnv(),
      AWS_ENDPOINT_URL: moto,
    });
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe('just now from CloudWatch\n');
  }, 60_000);

  it('deploy without --code over your function exits 2 and leaves its code alone', async () => {
    const refused = await cli(['deploy', '--topic-name', names.snsTopic]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/runs your code \(deployed with --code\).*--force/);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: names.fn }));
    expect(fn.Configuration!.CodeSha256).toBe(codeSha256);
    expect(fn.Configuration!.Handler).toBe('index.handler');
  }, 60_000);

  it('destroy --yes leaves nothing behind, and a second run finds everything absent', async () => {
    const destroyed = await cli(['destroy', '--topic-name', names.snsTopic, '--yes']);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(json(destroyed.stdout)).toMatchObject({ function: 'deleted', topic: 'deleted', topicArn });
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: names.fn }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    const again = await cli(['destroy', '--topic-name', names.snsTopic, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again.stdout)).toMatchObject({ function: 'absent', topic: 'absent' });
  }, 60_000);
});
